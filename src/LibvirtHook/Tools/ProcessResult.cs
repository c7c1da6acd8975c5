namespace LibvirtHook.Tools;

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);
