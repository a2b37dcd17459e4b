/*-------------------------------------------------------------------------
 * hmac.c
 *	  agingos_hmac_sha256(key bytea, message text) → bytea: HMAC-SHA256
 *	  through PostgreSQL's own src/common/hmac.c (OpenSSL underneath in
 *	  Debian's build).  Signs the ACK-link tokens of the carer
 *	  notifications (docs/notifications.md "ACK links").
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hmac.h"
#include "common/sha2.h"
#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(agingos_hmac_sha256);

/*
 * agingos_hmac_sha256(key bytea, message text) → bytea of 32 bytes.
 * STRICT.  Raises XX000 only when the crypto library fails (out of memory).
 */
Datum
agingos_hmac_sha256(PG_FUNCTION_ARGS)
{
	bytea		*key = PG_GETARG_BYTEA_PP(0);
	text		*msg = PG_GETARG_TEXT_PP(1);
	bytea		*out = palloc(VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);

	if (ctx == NULL ||
		pg_hmac_init(ctx, (const uint8 *) VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) VARDATA_ANY(msg), VARSIZE_ANY_EXHDR(msg)) < 0 ||
		pg_hmac_final(ctx, (uint8 *) VARDATA(out), PG_SHA256_DIGEST_LENGTH) < 0)
	{
		const char *why = ctx ? pg_hmac_error(ctx) : "out of memory";

		if (ctx)
			pg_hmac_free(ctx);
		ereport(ERROR, (errmsg("agingos_hmac_sha256: HMAC computation failed: %s", why)));
	}
	pg_hmac_free(ctx);
	SET_VARSIZE(out, VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
	PG_RETURN_BYTEA_P(out);
}
