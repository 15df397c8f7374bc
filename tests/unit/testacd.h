/**
 * @file testacd.h  The store under the ACD unit tests
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Each test opens a fresh in-memory store with one application, adds its
 * groups and staff, then allocates the ACD on it.  Include after
 * <cmocka.h>, <re.h> and "store/store.h".
 */


/* A fresh in-memory store with one application, whose id goes to app */
static inline void testacd_store_open(struct store **stp, char *app,
				      size_t sz)
{
	struct store_app a;

	assert_int_equal(0, store_open(stp, ":memory:"));
	memset(&a, 0, sizeof(a));
	assert_int_equal(0, store_app_create(*stp, &a));
	str_ncpy(app, a.sdk_app_id, sz);
}


/* Put user into group at level */
static inline void testacd_member_add(struct store *st, const char *app,
				      const char *user, const char *group,
				      uint32_t level)
{
	struct store_member m;

	memset(&m, 0, sizeof(m));
	str_ncpy(m.user_id, user, sizeof(m.user_id));
	str_ncpy(m.group, group, sizeof(m.group));
	m.level = level;
	assert_int_equal(0, store_member_add(st, app, &m));
}


/* A staff member named as its user id, in group at level; ext may be
 * NULL */
static inline void testacd_staff_add(struct store *st, const char *app,
				     const char *user, const char *ext,
				     const char *group, uint32_t level)
{
	struct store_staff s;

	memset(&s, 0, sizeof(s));
	str_ncpy(s.user_id, user, sizeof(s.user_id));
	str_ncpy(s.name, user, sizeof(s.name));
	if (ext)
		str_ncpy(s.extension, ext, sizeof(s.extension));
	assert_int_equal(0, store_staff_add(st, app, &s));

	testacd_member_add(st, app, user, group, level);
}
