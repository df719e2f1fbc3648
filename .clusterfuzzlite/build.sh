#!/bin/bash
# OSS-Fuzz / ClusterFuzzLite build (docs/fuzzing.md, "Scale-out"): every
# fuzz_* harness that fuzz/CMakeLists.txt builds, compiled with $CC and
# $CFLAGS (which carry the sanitizer and -fsanitize=fuzzer-no-link) and
# linked with $LIB_FUZZING_ENGINE, goes to $OUT with its seed corpus
# (fuzz/corpus/TARGET zipped) and its dictionary (fuzz/TARGET.dict).
# Run from the source tree (the Dockerfile's WORKDIR); builds in $WORK.
set -euo pipefail

[ -f fuzz/CMakeLists.txt ] || { echo "build.sh: run from the Amphi tree" >&2; exit 1; }
build_dir=$WORK/amphi-build

# The sanitizer is the one in $CFLAGS, not the project's (AMPHI_SANITIZER).
# The project's libFuzzer guidance (with fuzz/coverage-ignore.txt) only
# where $CFLAGS ask for libFuzzer's: not in a coverage build, whose other
# programs (amphi, amphi-fuzz-decode) would lack its runtime. A newer
# compiler's new warnings do not stop the build.
guidance=OFF
case " $CFLAGS " in *" -fsanitize=fuzzer-no-link "*) guidance=ON ;; esac
cmake -S . -B "$build_dir" -G Ninja \
	-DCMAKE_C_COMPILER="$CC" -DCMAKE_ASM_COMPILER="$CC" \
	-DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_BUILD_TYPE= \
	-DAMPHI_PLATFORM=hosted -DAMPHI_FUZZ=ON -DAMPHI_DEBUG=ON \
	-DAMPHI_SANITIZER= -DAMPHI_FUZZ_GUIDANCE=$guidance -DAMPHI_WERROR=OFF \
	-DAMPHI_FUZZ_ENGINE="$LIB_FUZZING_ENGINE"
cmake --build "$build_dir" -j "$(nproc)"

shopt -s nullglob
harnesses=("$build_dir"/fuzz/fuzz_*)
[ ${#harnesses[@]} -gt 0 ] || { echo "build.sh: no harness was built" >&2; exit 1; }
for binary in "${harnesses[@]}"; do
	name=$(basename "$binary")
	target=${name#fuzz_}
	cp "$binary" "$OUT/$name"
	if [ -d "fuzz/corpus/$target" ]; then
		rm -f "$OUT/${name}_seed_corpus.zip"
		zip -q -j "$OUT/${name}_seed_corpus.zip" "fuzz/corpus/$target"/*
	fi
	if [ -f "fuzz/$target.dict" ]; then
		cp "fuzz/$target.dict" "$OUT/$name.dict"
	fi
done
