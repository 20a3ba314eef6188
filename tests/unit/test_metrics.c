// SPDX-License-Identifier: GPL-2.0-only
/* The Prometheus text of stats and status reports: names, labels and
 * their escaping, values, what is left out. */
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "testutil.h"

static char *render(const char *stats, const char *status, unsigned long long suppressed,
		    const char *host)
{
	struct json_object *st = json_tokener_parse(stats);
	struct json_object *stat = json_tokener_parse(status);
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(st);
	assert_non_null(stat);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	pc_metrics_render(f, st, stat, suppressed, host);
	fclose(f);
	json_object_put(st);
	json_object_put(stat);
	return out;
}

#define NO_PATHS "{\"paths\": [], \"drops\": []}"
/* One path and one drop line of stats -j. */
#define SSH                                                                    \
	"{\"paths\": [{\"path\": \"A-2.3-ssh-linux\", \"table\": \"A-2\", \"row\": 3,"  \
	" \"direction\": \"egress\", \"packets\": 12, \"bytes\": 1840}], \"drops\": []}"
#define WRONG_PEER                                                             \
	"{\"paths\": [], \"drops\": [{\"reason\": \"wrong-peer\","                    \
	" \"direction\": \"ingress\", \"packets\": 4, \"bytes\": 296}]}"
#define STATUS(ifs)                                                            \
	"{\"generation\": 7, \"interfaces\": [" ifs "],"                        \
	" \"maps\": {\"conntrack\": {\"entries\": 3, \"max\": 262144}},"          \
	" \"map_memory\": {\"bytes\": 9, \"maps\": {\"pc_addr\": 5, \"pc_ct\": 4}},"   \
	" \"conntrack\": {\"established\": {\"evicted\": 5}, \"new\": {\"evicted\": 6},"\
	" \"insert_failed\": 1}}"

static void test_lines(void **state)
{
	static const struct {
		const char *stats, *status, *host;
		const char *line; /* present; "!" first: absent */
	} cases[] = {
		{ SSH, STATUS(""), NULL,
		  "portcullis_path_packets_total{path=\"A-2.3-ssh-linux\",table=\"A-2\",row=\"3\",direction=\"egress\"} 12\n" },
		{ SSH, STATUS(""), NULL,
		  "portcullis_path_bytes_total{path=\"A-2.3-ssh-linux\",table=\"A-2\",row=\"3\",direction=\"egress\"} 1840\n" },
		/* A site flow: its table is "site". */
		{ "{\"paths\": [{\"path\": \"site-x\", \"table\": \"site\", \"row\": 4, \"direction\": \"ingress\","
		  " \"packets\": 1, \"bytes\": 60}], \"drops\": []}", STATUS(""), NULL,
		  "portcullis_path_packets_total{path=\"site-x\",table=\"site\",row=\"4\",direction=\"ingress\"} 1\n" },
		/* No row (the "(other)" path): empty table and row. */
		{ "{\"paths\": [{\"path\": \"(other)\", \"table\": null, \"row\": null, \"direction\": \"ingress\","
		  " \"packets\": 0, \"bytes\": 0}], \"drops\": []}", STATUS(""), NULL,
		  "portcullis_path_packets_total{path=\"(other)\",table=\"\",row=\"\",direction=\"ingress\"} 0\n" },
		/* Quotes, backslashes and newlines in a label value are escaped. */
		{ "{\"paths\": [{\"path\": \"a\\\"b\\\\c\\nd\", \"table\": null, \"row\": null, \"direction\": \"egress\","
		  " \"packets\": 2, \"bytes\": 9}], \"drops\": []}", STATUS(""), NULL,
		  "portcullis_path_packets_total{path=\"a\\\"b\\\\c\\nd\",table=\"\",row=\"\",direction=\"egress\"} 2\n" },
		{ WRONG_PEER, STATUS(""), NULL,
		  "portcullis_drops_total{reason=\"wrong-peer\",direction=\"ingress\"} 4\n" },
		{ WRONG_PEER, STATUS(""), NULL,
		  "portcullis_drop_bytes_total{reason=\"wrong-peer\",direction=\"ingress\"} 296\n" },
		/* The host, when known, labels the paths (only). */
		{ SSH, STATUS(""), "mgr",
		  "portcullis_path_bytes_total{path=\"A-2.3-ssh-linux\",table=\"A-2\",row=\"3\",direction=\"egress\",host=\"mgr\"} 1840\n" },
		{ WRONG_PEER, STATUS(""), "mgr",
		  "portcullis_drops_total{reason=\"wrong-peer\",direction=\"ingress\"} 4\n" },
		{ NO_PATHS, STATUS(""), NULL, "portcullis_policy_generation 7\n" },
		{ NO_PATHS, STATUS(""), NULL, "portcullis_map_entries{map=\"conntrack\"} 3\n" },
		{ NO_PATHS, STATUS(""), NULL, "portcullis_map_max_entries{map=\"conntrack\"} 262144\n" },
		{ NO_PATHS, STATUS(""), NULL, "portcullis_map_memory_bytes{map=\"pc_addr\"} 5\n" },
		{ NO_PATHS, STATUS(""), NULL, "portcullis_map_memory_bytes{map=\"pc_ct\"} 4\n" },
		{ NO_PATHS, STATUS(""), NULL, "# TYPE portcullis_map_memory_bytes gauge\n" },
		{ NO_PATHS, STATUS(""), NULL, "portcullis_conntrack_evictions_total{table=\"established\"} 5\n" },
		{ NO_PATHS, STATUS(""), NULL, "portcullis_conntrack_evictions_total{table=\"new\"} 6\n" },
		{ NO_PATHS, STATUS(""), NULL, "portcullis_conntrack_insert_failed_total 1\n" },
		{ NO_PATHS, STATUS(""), NULL, "portcullis_events_suppressed_total 42\n" },
		{ NO_PATHS, STATUS(""), NULL, "# TYPE portcullis_drops_total counter\n" },
		{ NO_PATHS, STATUS(""), NULL, "# TYPE portcullis_map_entries gauge\n" },
		/* Hooks: XDP or TC ingress is in place, "missing" is not. */
		{ NO_PATHS, STATUS("{\"name\": \"eth0\", \"netns\": null, \"ingress\": \"xdp\", \"tc_egress\": \"attached\"}"), NULL,
		  "portcullis_interface_attached{interface=\"eth0\",hook=\"ingress\"} 1\n" },
		{ NO_PATHS, STATUS("{\"name\": \"eth0\", \"netns\": null, \"ingress\": \"tc\", \"tc_egress\": \"missing\"}"), NULL,
		  "portcullis_interface_attached{interface=\"eth0\",hook=\"ingress\"} 1\n" },
		{ NO_PATHS, STATUS("{\"name\": \"eth0\", \"netns\": null, \"ingress\": \"tc\", \"tc_egress\": \"missing\"}"), NULL,
		  "portcullis_interface_attached{interface=\"eth0\",hook=\"egress\"} 0\n" },
		{ NO_PATHS, STATUS("{\"name\": \"eth0\", \"netns\": null, \"ingress\": \"missing\", \"tc_egress\": \"attached\"}"), NULL,
		  "portcullis_interface_attached{interface=\"eth0\",hook=\"ingress\"} 0\n" },
		/* An interface in another network namespace cannot be probed. */
		{ NO_PATHS, STATUS("{\"name\": \"eth9\", \"netns\": \"net:[4026532]\", \"ingress\": \"other-netns\","
				   " \"tc_egress\": \"other-netns\"}"), NULL,
		  "!interface=\"eth9\"" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *out = render(cases[i].stats, cases[i].status, 42, cases[i].host);
		bool absent = cases[i].line[0] == '!';
		const char *line = cases[i].line + absent;

		if (!strstr(out, line) != absent)
			fail_msg("case %zu: %s\n%s in:\n%s", i, absent ? "unexpected" : "missing", line, out);
		free(out);
	}
}

/* Every family has HELP and TYPE once, before its samples. */
static void test_families(void **state)
{
	char *out = render("{\"paths\": [{\"path\": \"p\", \"table\": null, \"row\": null, \"direction\": \"egress\","
			   " \"packets\": 1, \"bytes\": 1}], \"drops\": [{\"reason\": \"nd\","
			   " \"direction\": \"ingress\", \"packets\": 1, \"bytes\": 1}]}",
			   STATUS("{\"name\": \"eth0\", \"netns\": null, \"ingress\": \"xdp\", \"tc_egress\": \"attached\"}"), 0,
			   "mgr");
	char *save = NULL, *typed = NULL;
	size_t help = 0, type = 0;

	(void)state;
	for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "# HELP ", 7) == 0) {
			help++;
		} else if (strncmp(l, "# TYPE ", 7) == 0) {
			type++;
			free(typed);
			typed = strndup(l + 7, strcspn(l + 7, " "));
		} else if (!typed || strncmp(l, typed, strlen(typed)) ||
			   (l[strlen(typed)] != '{' && l[strlen(typed)] != ' ')) {
			fail_msg("sample outside its family (%s): %s", typed ? typed : "none", l);
		}
	}
	assert_int_equal(help, type);
	assert_int_equal(type, 12);
	free(typed);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_families),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
