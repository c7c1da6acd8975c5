#!/usr/bin/env bash
# Why the hook keeps its own log writer: N processes x M lines appended at once to one file by
# each writer (the hook's HookLog, Serilog.Sinks.File shared and unbuffered, Serilog's API over a
# HookLog sink), all NativeAOT as the hook is; prints expected, found, lost and torn lines per
# writer. Writes only under a fresh temp directory.
#
#   bench/log-contention.sh [--processes N] [--lines M] [--runs R] [--writers A,B]   (default 40 x 500, 1 run)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet publish bench/log-contention/LogContention.csproj -c Release -r linux-x64 \
    -o artifacts/log-contention -nologo -v quiet >&2
exec artifacts/log-contention/log-contention "$@"
