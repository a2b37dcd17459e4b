#!/usr/bin/env bash
# docs/spec/fix-citations.sh — point every specification citation in the tree at
# the repository's own copy in docs/spec/, and list the citations that do not
# resolve to a heading there.
#
# Usage (from anywhere inside the clone):
#   docs/spec/fix-citations.sh            rewrite in place, then report
#   docs/spec/fix-citations.sh --check    report only, change nothing
#   docs/spec/fix-citations.sh --strict   like the default, but exit 1 when
#                                         something does not resolve
#   LIST=1 docs/spec/fix-citations.sh --check   also print every citation
#                                         with the references read from it
#
# Rewrites (only in git-tracked files under src/ scripts/ test/ sql/ expected/
# config/ docs/ docker/ .ci/ and README.md, Makefile; never in docs/spec/ itself, whose files cite each
# other relatively, and never in the frozen src/sql/release/ script):
#   rules.md, contract.md, design.md, style.md, platform-notes.md, decisions.md
#       -> docs/spec/<name>.md            when not already prefixed by a path
#   docs/<name>.md and paths into an outside docs folder
#       -> docs/spec/<name>.md
#   "the shared `rules.md`" -> "`docs/spec/rules.md`", "(shared docs)" dropped,
#   "docs/design (shared)" -> "docs/spec/design.md",
#   "contract section N", "contract sections …", "contract N"
#       -> "docs/spec/contract.md section N" etc.
# Schema COMMENTs (src/sql/schema/) that now cite docs/spec/ are appended once to
# the newest upgrade delta, so an upgraded catalog keeps matching a fresh one.
# expected/*.out echo the comments of sql/*.sql, so both are rewritten the same
# way and pg_regress keeps passing.  config/rules.yaml comments are rewritten
# together with their verbatim copy in sql/config_load.sql.
#
# Report: every citation "<doc>.md <refs>" (refs: \xC2\xA7N, section(s) N, N.N, Dnn,
# "name"; a citation wrapped onto the next comment line is followed there) whose
# section number has no heading "N …" in docs/spec/<doc>.md, whose Dnn has no
# heading "Dnn" in docs/spec/decisions.md, or whose quoted name is neither a
# heading nor a phrase of that file.  Also lists bare citations without ".md"
# ("rules section 3") that are left.
set -euo pipefail

mode=apply
case "${1:-}" in
	"") ;;
	--check) mode=check ;;
	--strict) mode=strict ;;
	-h | --help)
		sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "fix-citations.sh: unknown argument \"$1\" (use --check, --strict or nothing)" >&2
		exit 2
		;;
esac

root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
cd "$root"
spec=docs/spec
for f in rules contract decisions design style platform-notes; do
	[ -f "$spec/$f.md" ] || { echo "fix-citations.sh: $spec/$f.md is missing" >&2; exit 1; }
done

# The files to treat: tracked, text, in the named places, minus spec and release.
mapfile -t files < <(git ls-files -- src scripts test sql expected config docs README.md Makefile docker .ci |
	grep -v -e "^$spec/" -e '^src/sql/release/' |
	while read -r f; do [ -f "$f" ] && grep -Iq . "$f" && printf '%s\n' "$f"; done)

names='rules|contract|design|style|platform-notes|decisions'

if [ "$mode" != check ]; then
	changed=0
	for f in "${files[@]}"; do
		before=$(cksum <"$f")
		grep -qE '\.md|contract|docs/design' "$f" || continue
		NAMES="$names" perl -i -pe '
			BEGIN { $n = $ENV{NAMES}; }
			s{the shared `((?:$n)\.md)`}{`docs/spec/$1`}g;
			s{(`(?:$n)\.md`(?:\s+sections?\s+[0-9.]+)?) \(shared docs\)}{$1}g;
			s{docs/design \(shared\)}{docs/spec/design.md}g;
			s{(?<![\w/.-])(?:\.\./)*(?:shared/)?docs/((?:$n)\.md)\b}{docs/spec/$1}g;
			s{(?<![\w/.-])((?:$n)\.md)\b}{docs/spec/$1}g;
			s{(?<![\w/.-])contract (sections?\b|\xC2\xA7|[0-9])}{docs/spec/contract.md $1}g;
		' "$f"
		# the backtick form above may have produced docs/spec/docs/spec/
		perl -i -pe 's{docs/spec/docs/spec/}{docs/spec/}g' "$f"
		[ "$(cksum <"$f")" = "$before" ] || changed=$((changed + 1))
	done
	echo "rewritten: $changed files"

	# Table comments live in src/sql/schema/ (run once at install), so an
	# upgraded database would keep the old text: re-issue every schema COMMENT
	# that now cites docs/spec/ at the end of the newest upgrade delta, so the
	# upgraded catalog equals a fresh install's.
	delta=$(ls src/sql/upgrade/*.sql 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$delta" ] && ! grep -q '^-- issue 10: schema comments cite docs/spec/' "$delta"; then
		stmts=$(perl -0777 -ne 'while (/^(COMMENT ON [^\n]*? IS\s+(?:E?\x27(?:[^\x27]|\x27\x27)*\x27\s*)+;)/mg) { my $c = $1; print "$c\n" if $c =~ m{docs/spec/} }' src/sql/schema/*.sql)
		if [ -n "$stmts" ]; then
			printf '\n-- issue 10: schema comments cite docs/spec/ (the same text as src/sql/schema/)\n%s\n' "$stmts" >>"$delta"
			echo "re-issued $(grep -c '^COMMENT ON' <<<"$stmts") schema comments in $delta"
		fi
	fi
fi

# ---- report ----------------------------------------------------------------
SPEC="$spec" NAMES="$names" perl -e '
	use strict; use warnings;
	my ($spec, $n) = ($ENV{SPEC}, $ENV{NAMES});
	my (%heads, %text);
	for my $d (split /\|/, $n) {
		open my $fh, "<", "$spec/$d.md" or die "$spec/$d.md: $!";
		local $/; my $t = <$fh>; close $fh;
		$text{$d} = $t;
		for my $l (split /\n/, $t) {
			next unless $l =~ /^#+\s+(.*)$/;
			my $h = $1;
			$heads{$d}{num}{$1} = 1 if $h =~ /^(?:\xC2\xA7)?([0-9]+(?:\.[0-9]+)*)\.?(?:\s|$)/;
			$heads{$d}{dec}{$1} = 1 if $h =~ /^(D[0-9]+)\b/;
			$heads{$d}{word}{lc $h} = 1;
			$heads{$d}{word}{lc $1} = 1 if $h =~ /^([\w-]+)/;
		}
	}
	my ($bad, $bare, $total) = (0, 0, 0);
	my @files = @ARGV;
	for my $f (@files) {
		open my $fh, "<", $f or next;
		my @lines = <$fh>; close $fh;
		for my $i (0 .. $#lines) {
			my $line = $lines[$i];
			while ($line =~ /(?<![\w.-])((?:docs\/spec\/|(?:\.\.\/)*(?:shared\/)?docs\/)?($n)\.md)\b(.*)$/g) {
				my ($cite, $doc, $tail) = ($1, $2, $3);
				pos($line) = $-[3];
				$total++;
				# a citation that ends its line continues on the next comment line
				if ($tail =~ /^[`)]?\s*$/ && $i < $#lines) {
					(my $next = $lines[$i + 1]) =~ s/^\s*(?:--|\/?\*+|#|\/\/)?\s*//;
					$tail .= " " . $next;
				}
				$tail =~ s/^`//;
				$tail =~ s/;.*$//s;          # "; other.md …" is another citation
				my @refs;
				my $t = $tail;
				$t =~ s/^\s*\(?\s*//;
				while (1) {
					if ($t =~ s/^(?:\xC2\xA7\s*|sections?\s+|section\s+)?([0-9]+(?:\.[0-9]+)*)(?![0-9.]*[0-9])\.?//) { push @refs, ["num", $1]; }
					elsif ($t =~ s/^(D[0-9]+)\b//) { push @refs, ["dec", $1]; }
					elsif ($t =~ s/^"([^"]{1,40})"//) { push @refs, ["word", $1]; }
					elsif ($t =~ s/^([0-9]+\.x)\b//) { push @refs, ["num", $1]; }
					else { last; }
					last unless $t =~ s/^\s*(?:,|\/|-|\xE2\x80\x93|and|&)\s*(?:\xC2\xA7\s*)?//;
					# "6.2-6.4": the "-" was eaten; loop reads 6.4
				}
				printf "cite %s:%d: %s.md %s\n", $f, $i + 1, $doc, join(" ", map { $_->[1] } @refs) if $ENV{LIST};
				for my $r (@refs) {
					my ($kind, $v) = @$r;
					my $ok;
					if ($kind eq "num") { $ok = $heads{$doc}{num}{$v}; }
					elsif ($kind eq "dec") { $ok = $heads{decisions}{dec}{$v}; }
					else {
						$ok = $heads{$doc}{word}{lc $v} || index(lc $text{$doc}, lc $v) >= 0;
					}
					next if $ok;
					$bad++;
					printf "unresolved %s:%d: %s %s\n", $f, $i + 1, "$doc.md", ($kind eq "word" ? "\"$v\"" : $v);
				}
			}
			while ($line =~ /(?<![\w.\/-])(rules|contract)\s+(?:sections?\s+|\xC2\xA7\s*)?([0-9]+(?:\.[0-9]+)*)\b/g) {
				next if $1 eq "rules" && $line !~ /rules\s+(?:sections?|\xC2\xA7)/;
				$bare++;
				printf "bare %s:%d: %s section %s (no .md%s)\n", $f, $i + 1, $1, $2,
					($heads{$1}{num}{$2} ? ", resolves" : ", DOES NOT RESOLVE");
			}
		}
	}
	printf "citations: %d checked, %d unresolved, %d bare (without .md)\n", $total, $bad, $bare;
	exit($bad ? 3 : 0);
' "${files[@]}" || rc=$?
rc=${rc:-0}
if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
	exit "$rc"
fi
if [ "$mode" = strict ] && [ "$rc" -eq 3 ]; then
	exit 1
fi
exit 0
