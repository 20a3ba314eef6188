// SPDX-License-Identifier: GPL-2.0-only
/*
 * The journal entries an operator keeps: their fields and priorities, and
 * how many denied packets each log-denied setting writes. Entries are
 * captured instead of sent (journald is tried by tests/systemd/).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "testutil.h"

#define MAX_ENTRIES 64

static char entries[MAX_ENTRIES][4096]; /* fields, one a line */
static int nentries;
static int send_result;

static int capture(const struct iovec *iov, int n)
{
	char *out;

	if (nentries < MAX_ENTRIES) {
		out = entries[nentries++];
		*out = '\0';
		for (int i = 0; i < n; i++) {
			strncat(out, iov[i].iov_base, iov[i].iov_len);
			strcat(out, "\n");
		}
	}
	return send_result;
}

static void start(struct pc_journal *j, enum pc_log_denied mode)
{
	pc_journal_init(j, mode);
	j->sendv = capture;
	nentries = 0;
	send_result = 0;
}

/* Entry i has the field line "NAME=value". */
static bool has(int i, const char *field)
{
	char line[512];

	snprintf(line, sizeof(line), "\n%s\n", field);
	return i < nentries && (strstr(entries[i], line) ||
				strncmp(entries[i], line + 1, strlen(line + 1)) == 0);
}

static void test_policy(void **state)
{
	struct pc_path_change changes[] = {
		{ .path = "A-1.1-http-gui", .kind = PC_PATH_CHANGED, .detail = "local ports 22015 -> 22115" },
		{ .path = "A-3.11-disk-config-check", .kind = PC_PATH_REMOVED, .detail = "" },
	};
	struct pc_ctl_res res = {
		.old_generation = 2, .generation = 3, .nrules = 44, .name = "srv", .have_diff = true,
		.diff = { .changes = changes, .count = 2, .changed = 1, .removed = 1, .unchanged = 40 },
	};
	struct pc_journal j;

	(void)state;
	start(&j, PC_LOG_DENIED_SAMPLE);
	assert_int_equal(pc_journal_policy(&j, "SIGHUP", "/etc/portcullis/site.yaml", &res), 0);
	assert_int_equal(nentries, 3);
	static const char *const summary[] = {
		"PRIORITY=5", "PORTCULLIS_EVENT=policy", "PORTCULLIS_WHO=SIGHUP",
		"PORTCULLIS_SITE=/etc/portcullis/site.yaml", "PORTCULLIS_HOST=srv",
		"PORTCULLIS_GENERATION=3", "PORTCULLIS_OLD_GENERATION=2", "PORTCULLIS_RULES=44",
		"PORTCULLIS_CHANGED=1", "PORTCULLIS_ADDED=0", "PORTCULLIS_REMOVED=1",
		"MESSAGE=portcullis: policy generation 2 -> 3 in force (srv, 44 rules) from "
		"/etc/portcullis/site.yaml, by SIGHUP: paths: 1 changed, 0 added, 1 removed, 40 unchanged",
	};
	for (size_t i = 0; i < sizeof(summary) / sizeof(summary[0]); i++)
		if (!has(0, summary[i]))
			fail_msg("summary lacks %s:\n%s", summary[i], entries[0]);
	static const struct { int entry; const char *field; } paths[] = {
		{ 1, "PRIORITY=6" }, { 1, "PORTCULLIS_PATH=A-1.1-http-gui" },
		{ 1, "PORTCULLIS_CHANGE=changed" }, { 1, "PORTCULLIS_DETAIL=local ports 22015 -> 22115" },
		{ 1, "PORTCULLIS_GENERATION=3" },
		{ 1, "MESSAGE=portcullis: path A-1.1-http-gui changed: local ports 22015 -> 22115" },
		{ 2, "PORTCULLIS_PATH=A-3.11-disk-config-check" }, { 2, "PORTCULLIS_CHANGE=removed" },
		{ 2, "MESSAGE=portcullis: path A-3.11-disk-config-check removed" },
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!has(paths[i].entry, paths[i].field))
			fail_msg("entry %d lacks %s:\n%s", paths[i].entry, paths[i].field,
				 entries[paths[i].entry]);

	/* A refused file: an error, and no generation. */
	nentries = 0;
	assert_int_equal(pc_journal_refused(&j, "the site file changed", "/etc/portcullis/site.yaml"), 0);
	assert_true(has(0, "PRIORITY=3"));
	assert_true(has(0, "PORTCULLIS_EVENT=policy-refused"));
	assert_null(strstr(entries[0], "GENERATION"));
}

static struct pc_event tcp4(uint64_t ts_ns)
{
	struct pc_event e = {
		.ts_ns = ts_ns, .family = PC_AF_INET, .proto = IPPROTO_TCP, .dir = PC_DIR_IN,
		.reason = 1, .sport = htons(40000), .dport = htons(9999), .len = 74,
	};

	inet_pton(AF_INET, "192.0.2.20", e.saddr);
	inet_pton(AF_INET, "192.0.2.10", e.daddr);
	return e;
}

static void test_denied_fields(void **state)
{
	struct pc_event e = tcp4(1000000000ULL);
	struct pc_event icmp6 = { .ts_ns = 1, .family = PC_AF_INET6, .proto = IPPROTO_ICMPV6,
				  .dir = PC_DIR_OUT, .reason = 2, .audit = 1, .len = 100 };
	static const char *const want[] = {
		"PRIORITY=4", "PORTCULLIS_EVENT=denied", "PORTCULLIS_REASON=no-rule",
		"PORTCULLIS_VERDICT=drop", "PORTCULLIS_DIRECTION=ingress", "PORTCULLIS_PROTO=tcp",
		"PORTCULLIS_SRC=192.0.2.20", "PORTCULLIS_SRC_PORT=40000",
		"PORTCULLIS_DST=192.0.2.10", "PORTCULLIS_DST_PORT=9999", "PORTCULLIS_BYTES=74",
		"MESSAGE=portcullis: denied tcp 192.0.2.20:40000 > 192.0.2.10:9999 (ingress, no-rule)",
	};
	struct pc_journal j;

	(void)state;
	start(&j, PC_LOG_DENIED_ALL);
	assert_int_equal(pc_journal_denied(&j, &e), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!has(0, want[i]))
			fail_msg("denied entry lacks %s:\n%s", want[i], entries[0]);

	inet_pton(AF_INET6, "2001:db8::1", icmp6.saddr);
	inet_pton(AF_INET6, "2001:db8::2", icmp6.daddr);
	assert_int_equal(pc_journal_denied(&j, &icmp6), 0);
	assert_true(has(1, "PORTCULLIS_SRC=2001:db8::1"));
	assert_true(has(1, "PORTCULLIS_VERDICT=audit-pass"));
	assert_true(has(1, "PORTCULLIS_DIRECTION=egress"));
	assert_true(has(1, "PORTCULLIS_REASON=wrong-peer"));
	assert_null(strstr(entries[1], "_PORT="));   /* no ports without TCP/UDP */
	assert_true(has(1, "MESSAGE=portcullis: would deny icmpv6 2001:db8::1 > 2001:db8::2 (egress, wrong-peer)"));

	/* A gateway's forwarded drop: not an inbound one to the gateway. */
	e.forwarded = 1;
	assert_int_equal(pc_journal_denied(&j, &e), 0);
	assert_true(has(2, "PORTCULLIS_DIRECTION=forward"));
	assert_true(has(2, "MESSAGE=portcullis: denied tcp 192.0.2.20:40000 > 192.0.2.10:9999 (forward, no-rule)"));
}

/* A burst in one second, then one packet in the next. */
static void test_denied_modes(void **state)
{
	static const struct {
		enum pc_log_denied mode;
		int burst;
		int entries;       /* written, all told */
		const char *left;  /* the summary's field, or NULL */
	} cases[] = {
		{ PC_LOG_DENIED_OFF, 25, 0, NULL },
		{ PC_LOG_DENIED_ALL, 25, 26, NULL },
		{ PC_LOG_DENIED_SAMPLE, 25, PC_LOG_DENIED_PER_SEC + 1 + 1, "PORTCULLIS_LEFT_OUT=15" },
		{ PC_LOG_DENIED_SAMPLE, PC_LOG_DENIED_PER_SEC, PC_LOG_DENIED_PER_SEC + 1, NULL },
	};
	struct pc_journal j;

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct pc_event e = tcp4(5000000000ULL);
		bool found = false;

		start(&j, cases[c].mode);
		for (int i = 0; i < cases[c].burst; i++) {
			e.ts_ns += 1000; /* the same second */
			assert_int_equal(pc_journal_denied(&j, &e), 0);
		}
		e.ts_ns = 6000000000ULL;
		assert_int_equal(pc_journal_denied(&j, &e), 0);
		if (nentries != cases[c].entries)
			fail_msg("case %zu (%s, %d): %d entries, not %d", c, pc_log_denied_name(cases[c].mode),
				 cases[c].burst, nentries, cases[c].entries);
		for (int i = 0; i < nentries; i++)
			found |= has(i, "PORTCULLIS_EVENT=denied-left-out");
		assert_int_equal(found, cases[c].left != NULL);
		if (cases[c].left)
			assert_true(has(PC_LOG_DENIED_PER_SEC, cases[c].left));
		pc_journal_close(&j);
	}
}

static void test_settings_and_failures(void **state)
{
	static const struct { const char *text; int rc; enum pc_log_denied mode; } cases[] = {
		{ "off", 0, PC_LOG_DENIED_OFF }, { "sample", 0, PC_LOG_DENIED_SAMPLE },
		{ "all", 0, PC_LOG_DENIED_ALL }, { "some", -EINVAL, 0 }, { "", -EINVAL, 0 },
	};
	struct pc_event e = tcp4(1);
	struct pc_journal j;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum pc_log_denied m = PC_LOG_DENIED_ALL;

		assert_int_equal(pc_log_denied_parse(cases[i].text, &m), cases[i].rc);
		if (cases[i].rc == 0) {
			assert_int_equal(m, cases[i].mode);
			assert_string_equal(pc_log_denied_name(m), cases[i].text);
		}
	}
	start(&j, PC_LOG_DENIED_ALL);
	send_result = -ENOENT; /* no journald: nothing fails */
	assert_int_equal(pc_journal_denied(&j, &e), 0);
	send_result = -EAGAIN; /* journald there but failing: said */
	assert_int_equal(pc_journal_denied(&j, &e), -EAGAIN);
	/* Off leaves the ring buffer to portcullis monitor. */
	start(&j, PC_LOG_DENIED_OFF);
	assert_int_equal(pc_journal_denied_open(&j, "/nonexistent"), -ECANCELED);
	start(&j, PC_LOG_DENIED_SAMPLE);
	assert_int_equal(pc_journal_denied_open(&j, "/nonexistent"), -ENOENT);
	pc_journal_close(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_denied_fields),
		cmocka_unit_test(test_denied_modes),
		cmocka_unit_test(test_settings_and_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
