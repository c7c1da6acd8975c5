// The floor for bench/hook-latency.sh: what any NativeAOT program built the way the hook is
// costs to start and exit.
return 0;
