#!/bin/sh
# Regenerate derived_summary_grade.csv from SEER's reference implementation.
# Needs: javac/java (Debian default-jdk-headless), commons-lang3 (Debian libcommons-lang3-java),
# a checkout of https://github.com/imsweb/algorithms (BSD-3-Clause) at the commit in README.md.
# Usage: sh make_reference.sh /path/to/imsweb-algorithms-checkout
# Only DerivedSummaryGradeUtils.java is compiled (in a temporary directory, never committed).
set -eu
ALGORITHMS=${1:?give the path of an imsweb/algorithms checkout}
HERE=$(cd "$(dirname "$0")" && pwd)
LANG3=${LANG3:-/usr/share/java/commons-lang3.jar}
BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
SRC=src/main/java/com/imsweb/algorithms/derivedgrade/DerivedSummaryGradeUtils.java
if [ -d "$ALGORITHMS/.git" ] || [ -f "$ALGORITHMS/$SRC" ]; then
    cp "$ALGORITHMS/$SRC" "$BUILD/DerivedSummaryGradeUtils.java"
else  # a bare mirror (git directory without work tree)
    git --git-dir="$ALGORITHMS" show "HEAD:$SRC" > "$BUILD/DerivedSummaryGradeUtils.java"
fi
javac -d "$BUILD/classes" -cp "$LANG3" "$BUILD/DerivedSummaryGradeUtils.java" \
    "$HERE/GradeReferenceGenerator.java"
java -cp "$BUILD/classes:$LANG3" GradeReferenceGenerator 60000 20261203 \
    "$HERE/derived_summary_grade.csv"
