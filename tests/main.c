#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Weak, so a build of a subset of the test files still links. */
#define X(name) Suite *name(void) __attribute__((weak));
#include "suites.h"
#undef X

int main(int argc, char **argv)
{
	SRunner *sr = NULL;
	int failed;

	curl_global_init(CURL_GLOBAL_ALL);
#define X(name)                                                     \
	if (name && (argc < 2 || strstr(#name, argv[1]))) {         \
		if (!sr)                                            \
			sr = srunner_create(name());                \
		else                                                \
			srunner_add_suite(sr, name());              \
	}
#include "suites.h"
#undef X
	if (!sr) {
		fprintf(stderr, "no suite matches '%s'\n", argv[1]);
		return 2;
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
