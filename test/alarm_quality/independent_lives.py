#!/usr/bin/env python3
"""independent_lives.py: ordinary lives of residents, modelled independently of
agingos-sim (issue 17, docs/alarm-quality.md section 10).  Python 3 standard
library only; it shares no code, tables or constants with src/sim.

The model, written from the issue's description and not from the simulator:

* Rooms (the shipped config/rules.yaml vocabulary): soverom (bedroom), baderom
  (bathroom), kjokken (kitchen), stue (living room), inngang (hall).
* Sensors: a PIR (category motion) in soverom, kjokken, stue and inngang that
  sends "on" when someone starts moving in view and "off" 90 s after the last
  movement, nothing in between (it holds "on" while someone moves); a mmWave
  presence sensor (category presence) in baderom and, in every second home, in
  stue, "on" when someone enters, "off" 5-20 s after the last person leaves,
  holding "on" while someone is there, still or not; the front-door contact
  (category door, door "front", entity binary_sensor.inngangsdor_contact);
  an ha_snapshot every 15 minutes (0-20 s late).  Payloads are Home Assistant
  entity-ish: {"state", "room", "entity_id"} (and "door" for the door).
* A resident's day: in bed until a wake-up between 06:30 and 08:30 (a personal
  mean, +-25 min a day), 0-2 night bathroom visits; bathroom and breakfast;
  then the living room in sittings of 20-90 min between kitchen, bathroom
  (at the latest every 2.5 h) and bedroom trips; lunch and dinner in the
  kitchen; naps (30-90 min in the bedroom, 13:00-15:00) for nappers and on
  some days for others; an outing on 40-90 % of days (personal), starting
  09:30-15:00, 20 min to 5 hours; bed at 21:30-23:30 after the bathroom.
* Movement inside a stay depends on what the person does: walking (hall,
  kitchen) is continuous; sitting moves for 10-60 s every 4-20 min; sleeping
  turns for 10-40 s every 25-120 min.
* --couple HOMES: in those homes two residents live independent lives (own
  wake-ups, outings, naps); every sensor sees both.

Anomalies (--inject KIND@INSTANT, the first home only; after it the resident
does nothing more unless said): no-wakeup (stays in bed, lying still), bath-fall
(goes into the bathroom and stays), hall-fall (opens the front door, falls in
the hall and lies still), not-back (goes out and does not come back),
night-door (opens the front door at night, back in after 5 min, life goes on),
night-wander (40 min of walking between rooms, then back to bed, life goes on),
silent (no event at all, snapshots included, for 4 hours, then life goes on).

Output: JSON arrays of at most --chunk events (the agingos_ingest_batch limit
is 10000) into OUTDIR/HOME.N.json, and OUTDIR/homes.tsv (home, kind, first,
last instant).  Usage:
  independent_lives.py --homes 6 --days 14 --seed 101 --start 2026-01-05 --out DIR
"""
import argparse
import datetime as dt
import json
import os
import random
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Oslo")
PIR_ROOMS = ("soverom", "kjokken", "stue", "inngang")
PIR_OFF_S = 90


def local(day, hh, mm=0.0):
    """The UTC instant (seconds since the epoch) of local time hh:mm on date day."""
    base = dt.datetime(day.year, day.month, day.day, tzinfo=TZ)
    return (base + dt.timedelta(hours=hh, minutes=mm)).timestamp()


class Person:
    """One resident: personal habits drawn once, a timeline of stays built day by day."""

    def __init__(self, rng, napper=None):
        self.rng = rng
        self.wake_mean = rng.uniform(6.75, 8.25)  # hours, local
        self.bed_mean = rng.uniform(21.75, 23.25)
        self.out_prob = rng.uniform(0.4, 0.9)
        self.long_prob = rng.uniform(0.1, 0.4)  # share of outings of 2.5-5 h
        self.napper = rng.random() < 0.3 if napper is None else napper
        self.stays = []  # (room, start, end, kind); kind: walk, sit, sleep, nap, bath, still, out
        self.doors = []  # (instant, state)
        self.t = None
        self.stop = None  # instant after which the person does nothing more (anomaly)

    def go(self, room, seconds, kind):
        seconds = max(seconds, 5.0)
        end = self.t + seconds
        if self.stop is not None and end > self.stop:
            end = self.stop
        if end > self.t:
            self.stays.append((room, self.t, end, kind))
        self.t = end

    def door(self, state):
        if self.stop is None or self.t < self.stop:
            self.doors.append((self.t, state))

    def leave(self, seconds):
        """Through the hall and out of the front door, away for seconds, back in."""
        r = self.rng
        self.go("inngang", r.uniform(60, 180), "walk")
        self.door("open")
        self.t += r.uniform(4, 12)
        self.door("closed")
        self.go(None, seconds, "out")
        self.door("open")
        self.go("inngang", r.uniform(3, 8), "walk")
        self.door("closed")
        self.go("inngang", r.uniform(40, 120), "walk")

    def day(self, d, anomaly=None):
        """Stays from now (in bed) to the next day's bed, for local date d."""
        r = self.rng
        wake = local(d, min(8.5, max(6.5, self.wake_mean + r.uniform(-0.4, 0.4))))
        bed = local(d, self.bed_mean + r.uniform(-0.5, 0.5))
        # the night: bed with 0-2 bathroom visits
        visits = sorted(r.uniform(self.t + 1800, wake - 1800) for _ in range(r.choice((0, 0, 1, 1, 2))))
        for v in visits:
            if v > self.t:
                self.go("soverom", v - self.t, "sleep")
                self.go("baderom", r.uniform(180, 480), "bath")
        self.go("soverom", max(wake - self.t, 60), "sleep")
        self.go("baderom", r.uniform(480, 1200), "bath")
        self.go("kjokken", r.uniform(900, 2100), "walk")
        out_at = local(d, r.uniform(9.5, 15.0)) if r.random() < self.out_prob else None
        if out_at is not None:
            out_len = r.uniform(150, 300) if r.random() < self.long_prob else r.uniform(20, 150)
        nap_at = local(d, r.uniform(13.0, 14.5)) if (self.napper and r.random() < 0.85) or r.random() < 0.1 else None
        lunch, dinner = local(d, r.uniform(11.75, 12.75)), local(d, r.uniform(16.75, 17.75))
        last_bath = self.t
        while self.t < bed and (self.stop is None or self.t < self.stop):
            if out_at is not None and self.t >= out_at:
                self.leave(out_len * 60)
                out_at = None
                self.go("kjokken", r.uniform(180, 600), "walk")
                lunch = min(lunch, self.t) if self.t > lunch else lunch
            elif self.t >= lunch:
                self.go("kjokken", r.uniform(1200, 2400), "walk")
                lunch = float("inf")
            elif self.t >= dinner:
                self.go("kjokken", r.uniform(1800, 3000), "walk")
                dinner = float("inf")
            elif nap_at is not None and self.t >= nap_at:
                self.go("soverom", r.uniform(1800, 5400), "nap")
                nap_at = None
            elif self.t - last_bath > 9000:
                self.go("baderom", r.uniform(180, 480), "bath")
                last_bath = self.t
            else:
                nxt = min(x for x in (out_at or float("inf"), lunch, dinner, nap_at or float("inf"), bed, last_bath + 9000))
                self.go("stue", max(60, min(r.uniform(1200, 5400), nxt - self.t)), "sit")
                if self.t < nxt - 600:
                    k = r.random()
                    if k < 0.55:
                        self.go("kjokken", r.uniform(180, 600), "walk")
                    elif k < 0.85:
                        self.go("baderom", r.uniform(180, 480), "bath")
                        last_bath = self.t
                    else:
                        self.go("soverom", r.uniform(120, 360), "walk")
        self.go("baderom", r.uniform(480, 900), "bath")
        self.go("soverom", 60, "sleep")  # the next day() extends the night

    def anomaly(self, kind, at):
        """Cut the timeline at `at` and play the anomaly; returns whether life goes on after."""
        r = self.rng
        self.stays = [s if s[2] <= at else (s[0], s[1], at, s[3]) for s in self.stays if s[1] < at]
        self.doors = [x for x in self.doors if x[0] < at]
        room = self.stays[-1][0] if self.stays else "soverom"
        self.t = at
        if kind == "no-wakeup":
            self.go("soverom", 86400, "still")
        elif kind == "bath-fall":
            self.go("baderom", 86400, "still")
        elif kind == "hall-fall":
            self.go("inngang", r.uniform(60, 120), "walk")
            self.door("open")
            self.t += 8
            self.door("closed")
            self.go("inngang", 86400, "still")
        elif kind == "not-back":
            self.go("inngang", r.uniform(60, 120), "walk")
            self.door("open")
            self.t += 8
            self.door("closed")
            self.go(None, 86400, "out")
        elif kind == "night-door":
            self.go("inngang", 60, "walk")
            self.door("open")
            self.t += 10
            self.door("closed")
            self.go(None, 300, "out")
            self.door("open")
            self.go("inngang", 5, "walk")
            self.door("closed")
            self.go("inngang", 60, "walk")
            self.go("soverom", 60, "sleep")
            return True
        elif kind == "night-wander":
            end = at + 2400
            while self.t < end:
                self.go(r.choice(("kjokken", "stue", "inngang", "soverom", "baderom")), r.uniform(40, 150), "walk")
            self.go("soverom", 60, "sleep")
            return True
        elif kind == "silent":
            self.go(room or "stue", 60, "sit")
            return True
        else:
            raise SystemExit(f"unknown anomaly {kind}")
        self.stop = self.t
        return False


def movement(rng, room, a, b, kind):
    """Intervals of movement (start, end) inside a stay in a PIR room."""
    if kind == "walk":
        return [(a, b)]
    if kind in ("still", "out", "bath"):
        return [(a, min(b, a + 20))] if kind == "still" else []
    every, length = {"sit": ((240, 1200), (10, 60)), "sleep": ((1500, 7200), (10, 40)),
                     "nap": ((900, 2400), (10, 30))}[kind]
    out = [(a, min(b, a + rng.uniform(30, 120)))]
    t = out[0][1]
    while True:
        t += rng.uniform(*every)
        if t >= b - 60:
            break
        out.append((t, min(b, t + rng.uniform(*length))))
    out.append((max(a, b - rng.uniform(20, 60)), b))
    return out


def union(iv, pad_end):
    """Merge intervals after extending each end by pad_end seconds."""
    merged = []
    for s, e in sorted(iv):
        e += pad_end
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return merged


def home_events(rng, home, people, start, end, stue_presence, silent=None):
    ev = []
    moves = {r: [] for r in PIR_ROOMS}
    pres = {"baderom": [], "stue": []}
    for p in people:
        for room, a, b, kind in p.stays:
            if room in moves:
                moves[room] += movement(rng, room, a, b, kind)
            if room in pres:
                pres[room].append((a + rng.uniform(0, 3), b))
        for t, state in p.doors:
            ev.append((t, "door", {"state": state, "door": "front", "room": "inngang",
                                   "entity_id": "binary_sensor.inngangsdor_contact"}))
    for room, iv in moves.items():
        for s, e in union(iv, PIR_OFF_S):
            ev.append((s, "motion", {"state": "on", "room": room, "entity_id": f"binary_sensor.{room}_pir_motion"}))
            ev.append((e, "motion", {"state": "off", "room": room, "entity_id": f"binary_sensor.{room}_pir_motion"}))
    for room, iv in pres.items():
        if room == "stue" and not stue_presence:
            continue
        for s, e in union(iv, rng.uniform(5, 20)):
            ev.append((s, "presence", {"state": "on", "room": room, "entity_id": f"binary_sensor.{room}_mmwave_presence"}))
            ev.append((e, "presence", {"state": "off", "room": room, "entity_id": f"binary_sensor.{room}_mmwave_presence"}))
    t = start
    while t < end:
        ev.append((t + rng.uniform(0, 20), "ha_snapshot", {"source": "home_assistant", "entities": 9, "unavailable": 0}))
        t += 900
    ev = [e for e in ev if start <= e[0] < end and not (silent and silent[0] <= e[0] < silent[1])]
    ev.sort(key=lambda e: e[0])
    out = []
    for i, (t, cat, payload) in enumerate(ev):
        ts = dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        out.append({"id": f"{home}-{i:06d}", "timestamp": ts, "category": cat, "payload": payload})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--homes", type=int, default=6)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--seed", type=int, default=101)
    ap.add_argument("--start", default="2026-01-05", help="first local date")
    ap.add_argument("--prefix", default="ind-")
    ap.add_argument("--couple", default="", help="comma-separated home numbers with two residents")
    ap.add_argument("--inject", default="", help="KIND@INSTANT (UTC, ISO 8601) in home 1")
    ap.add_argument("--chunk", type=int, default=5000)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    couple = {int(x) for x in a.couple.split(",") if x}
    d0 = dt.date.fromisoformat(a.start)
    start, end = local(d0, 0), local(d0 + dt.timedelta(days=a.days), 0)
    with open(os.path.join(a.out, "homes.tsv"), "w") as tsv:
        for h in range(1, a.homes + 1):
            rng = random.Random(a.seed * 1000 + h)
            home = f"{a.prefix}{h}"
            people = [Person(rng) for _ in range(2 if h in couple else 1)]
            inj_kind, inj_at, silent = None, None, None
            if a.inject and h == 1:
                inj_kind, at = a.inject.split("@")
                inj_at = dt.datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()
            for p in people:
                p.t = start
            for i in range(a.days + 1):
                d = d0 + dt.timedelta(days=i)
                for k, p in enumerate(people):
                    if p.stop is None:
                        p.day(d)
                    if k == 0 and inj_at is not None and p.t > inj_at:
                        goes_on = p.anomaly(inj_kind, inj_at)
                        if inj_kind == "silent":
                            silent = (inj_at, inj_at + 4 * 3600)
                        inj_at = None
                        if goes_on:
                            p.day(d)  # the rest of this day, as usual
            evs = home_events(rng, home, people, start, end, stue_presence=(h % 2 == 0), silent=silent)
            for n in range(0, len(evs), a.chunk):
                with open(os.path.join(a.out, f"{home}.{n // a.chunk:03d}.json"), "w") as f:
                    json.dump(evs[n:n + a.chunk], f, separators=(",", ":"))
            kind = ("couple" if h in couple else "single") + ("+stue-presence" if h % 2 == 0 else "")
            tsv.write(f"{home}\t{kind}\t{len(evs)}\n")


if __name__ == "__main__":
    main()
