# oss-sse: the C library, its headers and the C/C++ examples.
#
#   make lib              cargo build --release -p oss-sse-ffi  (target/release/liboss_sse.{a,so})
#   make check-header     include/oss_sse.h as C99 and C++11, the C++ layer as C++11, -Wall -Wextra -pedantic -Werror
#   make examples         build examples-c/ (plain and ASan+UBSan)
#   make check-examples   run them against OSS_ENDPOINT (an emulator is started when it is unset),
#                         again under ASan+UBSan, and the C ones under valgrind memcheck
#   make seed-samples     the seed's three C++ samples, unchanged but for the Endpoint, against the emulator
#   make install PREFIX=/opt/oss-sse   lib, headers, pkg-config file oss_sse.pc, CMake package oss_sse
#   make check-install    install into a temp prefix and build an example through pkg-config (and CMake)
#   make demo             the newcomer's first command: everything above in one guided run
SHELL := bash

CARGO      ?= cargo
CXX        ?= c++
PREFIX     ?= /usr/local
DESTDIR    ?=
TARGET_DIR ?= $(if $(CARGO_TARGET_DIR),$(CARGO_TARGET_DIR),target)
LIB        := $(TARGET_DIR)/release/liboss_sse.a
SHARED     := $(TARGET_DIR)/release/liboss_sse.so
OSS_SSE_BIN ?= $(TARGET_DIR)/debug/oss-sse
SYS_LIBS   := -lpthread -ldl -lm -lrt
SEED       ?= ../shared/seeds/000_08472ff6c3f8a076.txt
EXBUILD    := $(abspath $(TARGET_DIR))/examples-c
VERSION    := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
WARN       := -Wall -Wextra -pedantic -Werror
PACKAGING  := crates/oss-sse-ffi/packaging

export CARGO_TARGET_DIR := $(TARGET_DIR)

.PHONY: lib bin check-header examples check-examples seed-samples install check-install demo clean-examples

lib:
	$(CARGO) build --release -p oss-sse-ffi

bin:
	$(CARGO) build -p oss-sse-cli

check-header:
	@printf '#include <oss_sse.h>\nint main(void) { return (int)oss_sse_version().len == 0; }\n' \
	  | $(CC) -std=c99 $(WARN) -Iinclude -x c -fsyntax-only -
	@printf '#include <oss_sse.h>\nint main() { return static_cast<int>(oss_sse_version().len == 0); }\n' \
	  | $(CXX) -std=c++11 $(WARN) -Iinclude -x c++ -fsyntax-only -
	@printf '#include <alibabacloud/oss/OssClient.h>\nint main() { AlibabaCloud::OSS::ClientConfiguration c; return c.maxConnections == 16 ? 0 : 1; }\n' \
	  | $(CXX) -std=c++11 $(WARN) -Wshadow -Wconversion -Iinclude -x c++ -fsyntax-only -
	@echo "check-header: oss_sse.h compiles as C99 and C++11, OssClient.h as C++11 ($(WARN))"

examples: lib
	$(MAKE) -s -C examples-c LIB=$(abspath $(LIB)) BUILD=$(EXBUILD)
	$(MAKE) -s -C examples-c LIB=$(abspath $(LIB)) BUILD=$(EXBUILD) SANITIZE=1

check-examples: lib bin
	LIB=$(abspath $(LIB)) BUILD=$(EXBUILD) OSS_SSE_BIN=$(abspath $(OSS_SSE_BIN)) MAKE="$(MAKE)" \
	  examples-c/scripts/check-examples.sh

seed-samples: lib bin
	$(MAKE) -s -C examples-c LIB=$(abspath $(LIB)) BUILD=$(EXBUILD)
	SEED=$(SEED) LIB=$(LIB) SYS_LIBS="$(SYS_LIBS)" OUT=$(abspath $(TARGET_DIR))/seed-samples \
	  TOOL=$(EXBUILD)/oss_sse_tool OSS_SSE_BIN=$(abspath $(OSS_SSE_BIN)) CXX="$(CXX)" \
	  examples-c/scripts/seed-samples.sh

install: lib
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/lib/cmake/oss_sse $(DESTDIR)$(PREFIX)/include
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/liboss_sse.a
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/liboss_sse.so
	install -m 644 include/oss_sse.h $(DESTDIR)$(PREFIX)/include/oss_sse.h
	cd include && find alibabacloud -type d -exec install -d $(DESTDIR)$(PREFIX)/include/{} \;
	cd include && find alibabacloud -type f -name '*.h' -exec install -m 644 {} $(DESTDIR)$(PREFIX)/include/{} \;
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' -e 's|@SYS_LIBS@|$(SYS_LIBS)|g' \
	  $(PACKAGING)/oss_sse.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/oss_sse.pc
	sed -e 's|@VERSION@|$(VERSION)|g' $(PACKAGING)/oss_sseConfig.cmake.in \
	  > $(DESTDIR)$(PREFIX)/lib/cmake/oss_sse/oss_sseConfig.cmake
	sed -e 's|@VERSION@|$(VERSION)|g' $(PACKAGING)/oss_sseConfigVersion.cmake.in \
	  > $(DESTDIR)$(PREFIX)/lib/cmake/oss_sse/oss_sseConfigVersion.cmake
	@echo "installed oss_sse $(VERSION) into $(DESTDIR)$(PREFIX)"

check-install: lib
	CXX="$(CXX)" MAKE="$(MAKE)" examples-c/scripts/check-install.sh

demo: lib bin
	$(MAKE) -s -C examples-c LIB=$(abspath $(LIB)) BUILD=$(EXBUILD)
	BUILD=$(EXBUILD) OSS_SSE_BIN=$(abspath $(OSS_SSE_BIN)) examples-c/scripts/demo.sh

clean-examples:
	$(MAKE) -s -C examples-c BUILD=$(EXBUILD) clean
	rm -rf $(TARGET_DIR)/seed-samples
