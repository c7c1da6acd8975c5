namespace LibvirtHook.Admin.Monitoring;

/// <summary>The monitoring-plugin states, valued as their exit codes (Nagios, Icinga, Sensu, ...).</summary>
internal enum CheckState
{
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}
