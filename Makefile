# SPDX-License-Identifier: GPL-2.0-only
# portcullis: `make` builds into build/, `make check` (as root) tests everything,
# `make demo` runs the lab. Quiet unless V=1.

CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
BUILD    ?= build
ARCH     := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2);
endif

.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDARY:
.PHONY: all deps check demo test fuzz clean format bench other-cc check-fresh \
	install uninstall deb man check-systemd

# Debian packages to build, test and run the demo (the lab's servers and
# clients are real Debian programs).
DEBIAN_PACKAGES := make gcc clang llvm libbpf-dev bpftool libelf-dev \
	zlib1g-dev libyaml-dev libjson-c-dev libcmocka-dev libclang-rt-14-dev \
	pkg-config jq iproute2 util-linux python3 python3-aiosmtpd socat openssh-server \
	openssh-client dnsmasq-base snmp snmptrapd busybox curl openssl \
	iputils-ping tcpdump python3-yaml python3-jsonschema nftables \
	python3-scapy nmap thc-ipv6 mandoc libsystemd-dev libmicrohttpd-dev prometheus \
	chromium ansible-core yamllint

WARN     := -Wall -Wextra -Werror
CPPFLAGS := -D_GNU_SOURCE -Iinclude -Iuser -I$(BUILD)
CFLAGS   ?= -O2 -g
USER_CFLAGS := -std=c11 $(WARN) $(CFLAGS) -MMD -MP
SAN_CFLAGS  := -std=c11 $(WARN) -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined -MMD -MP
# LIBBPF=-l:libbpf.a links Debian's static libbpf (make deb does).
LIBBPF   ?= -lbpf
LDLIBS   := $(LIBBPF) -lelf -lz -lyaml -ljson-c -lsystemd -lmicrohttpd

BPF_CFLAGS := -target bpf -O2 -g $(WARN) -D__TARGET_ARCH_$(ARCH) -Ibpf/noglibc -Iinclude \
	-Ibpf $(if $(MULTIARCH),-I/usr/include/$(MULTIARCH)) -MMD -MP

# Everything in user/ but main() is a library the tests link against.
USER_SRCS := $(filter-out user/main.c,$(wildcard user/*.c))
USER_OBJS := $(patsubst user/%.c,$(BUILD)/obj/%.o,$(USER_SRCS)) \
	$(BUILD)/obj/catalog_blob.o
SAN_OBJS  := $(patsubst user/%.c,$(BUILD)/asan/obj/%.o,$(USER_SRCS)) \
	$(BUILD)/obj/catalog_blob.o

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELETONS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
UNIT_SAN   := $(patsubst tests/unit/%.c,$(BUILD)/asan/tests/%,$(UNIT_SRCS))
PROG_SRCS  := $(wildcard tests/prog/test_*.c)
PROG_BINS  := $(patsubst tests/prog/%.c,$(BUILD)/tests/%,$(PROG_SRCS))
TEST_HELPERS := $(filter-out $(UNIT_SRCS) $(PROG_SRCS),$(wildcard tests/unit/*.c tests/prog/*.c))

TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))

# The nftables export's differential test links the reference classifier.
NET_TOOLS := $(BUILD)/tools/export_diff

all: $(BUILD)/portcullis $(UNIT_BINS) $(PROG_BINS) $(TOOL_BINS) $(NET_TOOLS) man

$(BUILD)/portcullis: $(BUILD)/obj/main.o $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# portcullis(8): its COMMANDS section is `portcullis --help-man`, made from
# the option tables that make --help. portcullis-site(5) is written as is.
# tests/cli/test_man.sh lints both (mandoc -Tlint).
MAN_PAGES := $(BUILD)/man/portcullis.8 $(BUILD)/man/portcullis-site.5
man: $(MAN_PAGES)

$(BUILD)/man/portcullis.8: dist/portcullis.8.in $(BUILD)/portcullis
	$(call msg,MAN,$@)
	@mkdir -p $(@D)
	$(Q)$(BUILD)/portcullis --help-man > $@.commands
	$(Q)sed -e '/^\.\\" @COMMANDS@$$/{r $@.commands' -e 'd' -e '}' \
		-e "s/@VERSION@/$$($(BUILD)/portcullis --version | cut -d' ' -f2)/" $< > $@
	$(Q)rm -f $@.commands

$(BUILD)/man/portcullis-site.5: dist/portcullis-site.5
	$(call msg,MAN,$@)
	@mkdir -p $(@D)
	$(Q)cp $< $@

# Userspace objects wait for the skeletons: some include them.
$(BUILD)/obj/%.o: user/%.c | $(SKELETONS)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/asan/obj/%.o: user/%.c | $(SKELETONS)
	$(call msg,CC-SAN,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(SAN_CFLAGS) -c $< -o $@

$(BUILD)/obj/catalog_blob.o: user/catalog_blob.S policy/hcsm.yaml
	$(call msg,AS,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -DCATALOG_PATH='"policy/hcsm.yaml"' -c $< -o $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c
	$(call msg,BPF,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# Each BPF header builds alone: it includes what it uses.
BPF_HEADERS := $(wildcard bpf/*.h)
HDR_CHECKS  := $(patsubst bpf/%.h,$(BUILD)/hdrcheck/%.o,$(BPF_HEADERS))
$(BUILD)/hdrcheck/%.o: bpf/%.h
	$(call msg,HDR,$<)
	@mkdir -p $(@D)
	$(Q)echo '#include "$*.h"' | $(CLANG) $(BPF_CFLAGS) -MT $@ -MF $(@:.o=.d) -x c -c - -o $@

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# Small programs the network tests drive traffic with.
$(BUILD)/tools/%: tests/tools/%.c
	$(call msg,TOOL,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(USER_CFLAGS) -o $@ $<

$(BUILD)/tools/export_diff: tests/net/export_diff.c $(USER_OBJS)
	$(call msg,TOOL,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(USER_CFLAGS) -o $@ $< $(USER_OBJS) $(LDLIBS)

$(BUILD)/asan/portcullis: $(BUILD)/asan/obj/main.o $(SAN_OBJS)
	$(call msg,LINK-SAN,$@)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(USER_OBJS) $(TEST_HELPERS)
	$(call msg,TEST,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit $(USER_CFLAGS) -o $@ $< \
		$(filter tests/unit/%,$(TEST_HELPERS)) $(USER_OBJS) $(LDLIBS) -lcmocka

$(BUILD)/asan/tests/%: tests/unit/%.c $(SAN_OBJS) $(TEST_HELPERS)
	$(call msg,TEST-SAN,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit $(SAN_CFLAGS) -o $@ $< \
		$(filter tests/unit/%,$(TEST_HELPERS)) $(SAN_OBJS) $(LDLIBS) -lcmocka

$(BUILD)/tests/%: tests/prog/%.c $(USER_OBJS) $(TEST_HELPERS)
	$(call msg,TEST,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) -Itests/prog -Itests/unit $(USER_CFLAGS) -o $@ $< \
		$(filter tests/prog/%,$(TEST_HELPERS)) $(USER_OBJS) $(LDLIBS) -lcmocka

# libFuzzer target: clang only, with the sanitizers.
FUZZ_SRCS := $(filter-out user/main.c,$(wildcard user/*.c))
$(BUILD)/fuzz/fuzz_policy: tests/fuzz/fuzz_policy.c $(FUZZ_SRCS) $(BUILD)/obj/catalog_blob.o | $(SKELETONS)
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(CPPFLAGS) -std=c11 $(WARN) -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

# Installs what is missing. Services of the installed packages (sshd,
# snmptrapd) must not start on the machine itself: policy-rc.d says no.
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "portcullis: missing Debian packages:$$missing (run as root: make deps, or sudo make deps)"; exit 1; \
		fi; \
		echo "  DEPS    installing$$missing"; \
		made_rc=""; if [ ! -e /usr/sbin/policy-rc.d ]; then \
			printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; \
			chmod +x /usr/sbin/policy-rc.d; made_rc=1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		rc=$$?; [ -z "$$made_rc" ] || rm -f /usr/sbin/policy-rc.d; exit $$rc; \
	fi

# The userspace code must also build cleanly with the other compiler.
OTHER_CC := $(if $(findstring clang,$(CC)),gcc,clang)
other-cc:
	$(call msg,$(OTHER_CC),$(BUILD)/$(OTHER_CC)/portcullis)
	$(Q)$(MAKE) --no-print-directory -s CC=$(OTHER_CC) BUILD=$(BUILD)/$(OTHER_CC) \
		$(BUILD)/$(OTHER_CC)/portcullis

test: all $(HDR_CHECKS) $(UNIT_SAN) $(BUILD)/asan/portcullis $(BUILD)/fuzz/fuzz_policy other-cc
	@BUILD=$(BUILD) tests/run.sh

check: deps
	@$(MAKE) --no-print-directory test

# The HCSM lab with the built-in catalog, as a report for people.
demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/portcullis
	@BUILD=$(BUILD) bash tests/lab/lab.sh --report

# make demo and make check in a fresh Debian 12 root with a new machine's
# packages (root; 10-20 min; the root is cached in /var/cache/portcullis).
check-fresh:
	@tests/fresh/check-fresh.sh

# ---- install: GNU directory variables; DESTDIR for staging -------------
# sysconfdir is /etc whatever the prefix: the unit and the daemon look
# there. The configuration is installed only where none is yet.
PREFIX      ?= /usr/local
prefix      ?= $(PREFIX)
exec_prefix ?= $(prefix)
sbindir     ?= $(exec_prefix)/sbin
datarootdir ?= $(prefix)/share
mandir      ?= $(datarootdir)/man
man8dir     ?= $(mandir)/man8
man5dir     ?= $(mandir)/man5
bashcompdir ?= $(datarootdir)/bash-completion/completions
docdir      ?= $(datarootdir)/doc/portcullis
sysconfdir  ?= /etc
unitdir     ?= $(prefix)/lib/systemd/system
INSTALL     ?= install

install: $(BUILD)/portcullis $(MAN_PAGES)
	$(call msg,INSTALL,$(DESTDIR)$(sbindir)/portcullis)
	$(Q)$(INSTALL) -d $(DESTDIR)$(sbindir) $(DESTDIR)$(unitdir) \
		$(DESTDIR)$(man8dir) $(DESTDIR)$(man5dir) $(DESTDIR)$(docdir) \
		$(DESTDIR)$(bashcompdir) $(DESTDIR)$(sysconfdir)/default $(DESTDIR)$(sysconfdir)/portcullis
	$(Q)$(INSTALL) -m 755 $(BUILD)/portcullis $(DESTDIR)$(sbindir)/portcullis
	$(Q)sed -e '/^#@/d' -e 's|@sbindir@|$(sbindir)|g' \
		-e 's|@sysconfdir@|$(sysconfdir)|g' -e 's|@docdir@|$(docdir)|g' \
		dist/portcullis.service.in > $(DESTDIR)$(unitdir)/portcullis.service
	$(Q)chmod 644 $(DESTDIR)$(unitdir)/portcullis.service
	$(Q)sed -n '/^#@ hardening {/,/^#@ }/p' dist/portcullis.service.in > $(BUILD)/unit-hardening
	$(Q)sed -e '/^#@HARDENING@/r $(BUILD)/unit-hardening' dist/portcullis@.service.in | \
		sed -e '/^#@/d' -e 's|@sbindir@|$(sbindir)|g' \
		-e 's|@sysconfdir@|$(sysconfdir)|g' -e 's|@docdir@|$(docdir)|g' \
		> $(DESTDIR)$(unitdir)/portcullis@.service
	$(Q)chmod 644 $(DESTDIR)$(unitdir)/portcullis@.service
	$(Q)$(INSTALL) -m 644 $(BUILD)/man/portcullis.8 $(DESTDIR)$(man8dir)/portcullis.8
	$(Q)$(INSTALL) -m 644 $(BUILD)/man/portcullis-site.5 $(DESTDIR)$(man5dir)/portcullis-site.5
	$(Q)$(INSTALL) -m 644 dist/bash-completion/portcullis $(DESTDIR)$(bashcompdir)/portcullis
	$(Q)$(INSTALL) -m 644 README.md docs/policy.md docs/json.md docs/security.md docs/site.schema.json $(DESTDIR)$(docdir)/
	$(Q)[ -e $(DESTDIR)$(sysconfdir)/default/portcullis ] || \
		$(INSTALL) -m 644 dist/portcullis.default $(DESTDIR)$(sysconfdir)/default/portcullis
	$(Q)[ -e $(DESTDIR)$(sysconfdir)/portcullis/site.yaml ] || \
		$(INSTALL) -m 644 policy/examples/site.yaml $(DESTDIR)$(sysconfdir)/portcullis/site.yaml

# Leaves the configuration, as a package removal does.
uninstall:
	rm -f $(DESTDIR)$(sbindir)/portcullis $(DESTDIR)$(unitdir)/portcullis.service \
		$(DESTDIR)$(unitdir)/portcullis@.service \
		$(DESTDIR)$(man8dir)/portcullis.8 $(DESTDIR)$(man5dir)/portcullis-site.5 \
		$(DESTDIR)$(bashcompdir)/portcullis $(DESTDIR)$(docdir)/README.md \
		$(DESTDIR)$(docdir)/policy.md $(DESTDIR)$(docdir)/json.md \
		$(DESTDIR)$(docdir)/security.md $(DESTDIR)$(docdir)/site.schema.json
	-rmdir $(DESTDIR)$(docdir)

# ---- deb: a Debian package of the tree as it is (debian/) ---------------
# Built from a copy under $(BUILD)/deb (dpkg-buildpackage writes beside
# the source tree); lintian must find no error.
DEB_PACKAGES := debhelper dpkg-dev lintian fakeroot git
DEB_VERSION   = $(shell head -1 debian/changelog | cut -d'(' -f2 | cut -d')' -f1)
DEB_ARCH      = $(shell dpkg --print-architecture)

deb:
	@$(MAKE) --no-print-directory deps DEBIAN_PACKAGES="$(DEB_PACKAGES)"
	@dpkg-checkbuilddeps 2>/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq ./ >/dev/null; }
	$(call msg,DEB,$(BUILD)/deb/portcullis_$(DEB_VERSION)_$(DEB_ARCH).deb)
	$(Q)rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/portcullis
	$(Q)git ls-files -co --exclude-standard | while read -r f; do \
		[ -e "$$f" ] && echo "$$f"; done | \
		tar -c --verbatim-files-from -T - | tar -x -C $(BUILD)/deb/portcullis
	$(Q)cd $(BUILD)/deb/portcullis && env -u MAKEFLAGS -u MAKELEVEL \
		dpkg-buildpackage -b -us -uc > ../build.log 2>&1 || \
		{ tail -30 ../build.log; exit 1; }
	$(Q)lintian --fail-on error $(BUILD)/deb/portcullis_$(DEB_VERSION)_$(DEB_ARCH).changes

fuzz: $(BUILD)/fuzz/fuzz_policy
	$(BUILD)/fuzz/fuzz_policy -max_total_time=300 tests/fuzz/corpus

format:
	clang-format -i $(wildcard user/*.[ch] bpf/*.[ch] include/*.h tests/*/*.[ch])

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- bench: `make bench` (issue 6) -------------------------------------
# Benchmarks are not tests: nothing here is part of `make check`. The
# bench programs build on their own rules and need nothing from user/.
BENCH_PACKAGES := xdp-tools nftables iperf3 iproute2 python3 bpftool bc \
	clang libbpf-dev
BENCH_BPF   := $(patsubst bench/%.bpf.c,$(BUILD)/bench/%.bpf.o,$(wildcard bench/*.bpf.c))
BENCH_TOOLS := $(BUILD)/bench/pktcost $(BUILD)/bench/livegen $(BUILD)/bench/xdpload
BENCH_LIB   := $(BUILD)/bench/pkt.o $(BUILD)/bench/xdpfilt.o

$(BUILD)/bench/%.bpf.o: bench/%.bpf.c
	$(call msg,BPF,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/%.o: bench/%.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -D_GNU_SOURCE $(USER_CFLAGS) -c $< -o $@

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(BENCH_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lbpf -lelf -lz

bench-build: $(BENCH_BPF) $(BENCH_TOOLS)

bench-deps:
	@$(MAKE) --no-print-directory deps DEBIAN_PACKAGES="$(BENCH_PACKAGES)"

# portcullis is one more candidate when it builds; the benchmarks run
# without it (its columns then say so).
bench: bench-deps
	@$(MAKE) --no-print-directory bench-build
	@-$(MAKE) --no-print-directory $(BUILD)/portcullis >/dev/null 2>&1
	@BUILD=$(BUILD) bench/run.sh
	@BUILD=$(BUILD) bench/reload.sh >> docs/benchmarks.md
	@BUILD=$(BUILD) bench/siteload.sh >> docs/benchmarks.md
	@BUILD=$(BUILD) bench/gateway.sh -o docs/benchmarks.md

# Forwarded traffic through a gateway: portcullis --gateway, no filter and
# the nftables export side by side (its section of docs/benchmarks.md).
bench-gateway: bench-deps
	@$(MAKE) --no-print-directory bench-build $(BUILD)/portcullis
	@BUILD=$(BUILD) bench/gateway.sh -o docs/benchmarks.md

.PHONY: bench-build bench-deps bench-gateway
# ---- end of bench -------------------------------------------------------

# ---- check-kernels: `make check-kernels` (issue 11) --------------------
# Debian's own 6.1 and 6.12 cloud kernels in qemu (TCG, 4-7 min each): attach
# in every hook mode, traffic, counters, reload, detach and the prog tests.
# The kernel .debs are cached in /var/cache/portcullis/kernels; qemu is
# installed by tests/kernels/run.sh when missing.
check-kernels: deps
	@$(MAKE) --no-print-directory -s $(BUILD)/portcullis $(PROG_BINS)
	@BUILD=$(BUILD) bash tests/kernels/run.sh

.PHONY: check-kernels
# ---- end of check-kernels -----------------------------------------------

# ---- check-systemd: the unit under a real systemd ------------------------
# A Debian 12 root with systemd (cached in /var/cache/portcullis), the
# build installed into it, booted with systemd-nspawn in the test's own
# network namespace (root; ~1 min, ~3 min the first time). Then the
# Ansible role's systemd path: the package (make deb) installed by
# ansible-playbook over SSH into another such machine (~1.5 min more).
SYSTEMD_TEST_PACKAGES := systemd-container mmdebstrap zstd socat jq iproute2 \
	ansible-core openssh-client

check-systemd: $(BUILD)/portcullis $(BUILD)/tools/udpseq
	@$(MAKE) --no-print-directory deps DEBIAN_PACKAGES="$(SYSTEMD_TEST_PACKAGES)"
	@BUILD=$(BUILD) bash tests/systemd/test_unit.sh
	@$(MAKE) --no-print-directory deb
	@BUILD=$(BUILD) bash tests/systemd/test_ansible.sh
