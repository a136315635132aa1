/*
 * spec/tsp/API.yaml and tests/fixtures/tsp/ are copies of the project's
 * shared TSP material; when that material sits beside the checkout
 * (../shared/tsp), the copies must not have drifted from it.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void assert_same_file(const char *shared, const char *ours)
{
	size_t la, lb;
	char *a = read_file(shared, &la), *b = read_file(ours, &lb);

	ck_assert_msg(a != NULL, "cannot read %s", shared);
	ck_assert_msg(b != NULL, "%s is missing (copy it from %s)", ours, shared);
	ck_assert_msg(la == lb && !memcmp(a, b, la), "%s differs from %s", ours, shared);
	free(a);
	free(b);
}

START_TEST(vendored_spec_and_fixtures_match_shared)
{
	char shared[512], ours[512], dir[512];
	struct dirent *de;
	DIR *d;
	int n = 0;

	src_path(dir, sizeof(dir), "../shared/tsp/fixtures");
	d = opendir(dir);
	if (!d)
		return; /* a plain clone has no shared/ beside it: nothing to compare */
	assert_same_file(src_path(shared, sizeof(shared), "../shared/tsp/API.yaml"),
			 src_path(ours, sizeof(ours), "spec/tsp/API.yaml"));
	while ((de = readdir(d))) {
		char rel[512];

		if (!strstr(de->d_name, ".json"))
			continue;
		snprintf(rel, sizeof(rel), "../shared/tsp/fixtures/%s", de->d_name);
		src_path(shared, sizeof(shared), rel);
		snprintf(rel, sizeof(rel), "tests/fixtures/tsp/%s", de->d_name);
		assert_same_file(shared, src_path(ours, sizeof(ours), rel));
		n++;
	}
	closedir(d);
	ck_assert_int_gt(n, 20);
}
END_TEST

Suite *vendor_suite(void)
{
	Suite *s = suite_create("vendor");
	TCase *tc = tcase_create("copies");

	tcase_add_test(tc, vendored_spec_and_fixtures_match_shared);
	suite_add_tcase(s, tc);
	return s;
}
