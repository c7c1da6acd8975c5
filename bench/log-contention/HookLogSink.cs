using LibvirtHook.Logging;
using Serilog.Core;
using Serilog.Events;

namespace LogContention;

/// <summary>A Serilog sink that writes each event as one HookLog line (whole-line write under flock).</summary>
internal sealed class HookLogSink(HookLog log) : ILogEventSink
{
    public void Emit(LogEvent logEvent) =>
        log.Write("bench", "contention", logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture));
}
