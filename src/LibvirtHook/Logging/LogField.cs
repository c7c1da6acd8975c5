namespace LibvirtHook.Logging;

/// <summary>One <c>key=value</c> of a hooks.log line, the value unquoted.</summary>
public sealed record LogField(string Key, string Value);
