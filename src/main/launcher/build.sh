#!/usr/bin/env bash
# Run by `mvn package` after the jar is built: extracts target/pacer.jar into target/pacer/ (the
# application jar and lib/: classes in a nested jar cannot be archived), makes cli.jsa, a class
# archive of what the short commands load (from the classes three of them load, merged), and puts
# the launcher `pacer` beside them. Unless PACER_SERVE_ARCHIVE=false it also makes serve.jsa, from a
# start of `serve` (on a database of its own, in a folder of its own) that stops once the
# application context is ready: about 20 s. Needs no network.
#   bash src/main/launcher/build.sh BASEDIR JAR
set -euo pipefail
base="$1"; jar="$2"
out="$base/target/pacer"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
rm -rf "$out"
"$java" -Djarmode=tools -jar "$jar" extract --destination "$out" --application-filename pacer.jar > /dev/null
cp "$base/src/main/launcher/pacer" "$out/pacer"
chmod +x "$out/pacer"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# the classes of three short commands; none reaches a server (port 9 on loopback is closed)
train() {
  (cd "$work" && "$java" -Xshare:off -XX:DumpLoadedClassList="$work/$1.classlist" -jar "$out/pacer.jar" "${@:2}" > /dev/null 2>&1 || true)
}
train validate validate "$base/examples/appointment-reminders.json"
train status status --server http://127.0.0.1:9
train report report nothing --server http://127.0.0.1:9 --user x --password x
cat "$work"/*.classlist | awk '!seen[$0]++' > "$work/cli.classlist"
"$java" -Xshare:dump -XX:SharedClassListFile="$work/cli.classlist" -XX:SharedArchiveFile="$out/cli.jsa" -Xlog:cds=off \
  -jar "$out/pacer.jar" > "$work/dump.log" 2>&1 || { cat "$work/dump.log" >&2; exit 1; }
if [ "${PACER_SERVE_ARCHIVE:-true}" = "true" ]; then
  (cd "$work" && PACER_ADMIN_PASSWORD=archive "$java" -XX:TieredStopAtLevel=1 -XX:ArchiveClassesAtExit="$out/serve.jsa" -Dspring.context.exit=onRefresh \
    -jar "$out/pacer.jar" serve --simulator --server.port=0 > "$work/serve.log" 2>&1) || { tail -20 "$work/serve.log" >&2; exit 1; }
fi
