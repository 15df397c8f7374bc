/**
 * @file common/jsonw.h  Writing JSON with libre's printers
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The printers here are used with "%H", e.g.
 *   re_hprintf(pf, "{\"name\":%H}", jsonw_str, name);
 * They print a complete JSON string value, quotes included.  Invalid UTF-8
 * is replaced by U+FFFD, so the output is always valid JSON.
 */

int jsonw_str(struct re_printf *pf, const char *str);
int jsonw_pl(struct re_printf *pf, const struct pl *pl);
int jsonw_strn(struct re_printf *pf, const char *p, size_t n);
int jsonw_bool(struct re_printf *pf, const bool *val);
bool jsonw_utf8_valid(const char *p, size_t n);
bool jsonw_nul_escaped(const char *json, size_t n);
