namespace LibvirtHook.Admin.Monitoring;

/// <summary>One thing <c>check</c> reports, with how bad it is.</summary>
internal sealed record CheckFinding(CheckState State, string Text);
