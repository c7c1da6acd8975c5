namespace LibvirtHook.Restart;

/// <summary>The hook's side of a restart: the decision at release, and the worker it started if yes.</summary>
internal sealed record RestartHandoff(RestartDecision Decision, int? WorkerPid);
