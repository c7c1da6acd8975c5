using System.Globalization;
using LibvirtHook.Logging;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace LogContention;

/// <summary>
/// A Serilog sink that writes each event as one HookLog line (whole-line write under flock), its
/// template's properties as the line's fields in template order.
/// </summary>
internal sealed class HookLogSink(HookLog log) : ILogEventSink
{
    public void Emit(LogEvent logEvent) => log.Write(new LogLine
    {
        Time = logEvent.Timestamp,
        Pid = Environment.ProcessId,
        Vm = "bench",
        Op = "contention",
        Fields = [.. logEvent.MessageTemplate.Tokens.OfType<PropertyToken>().Select(token => new LogField(
            token.PropertyName.ToLowerInvariant(),
            logEvent.Properties[token.PropertyName] is ScalarValue { Value: var value }
                ? Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""
                : logEvent.Properties[token.PropertyName].ToString()))],
    });
}
