using System.Globalization;
using System.Text;

namespace LibvirtHook;

/// <summary>
/// Text that someone else chose (domain names, config file names, log messages, qemu-img's and
/// virsh's words, which can quote names QEMU's user picked) on its way to a terminal, a
/// monitoring plugin's output or hooks.log. A name may not start a new line, fake a status line
/// or send a terminal an escape sequence, so every character that could is shown as a visible
/// escape instead: <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\x1b</c> (C0, DEL, C1), <c>\u202e</c>
/// (line separators and bidirectional overrides), and the backslash doubled so the result
/// reads back one way only. The one place these rules live.
/// </summary>
internal static class UntrustedText
{
    /// <summary>For a terminal line: a message, a table cell.</summary>
    public static string ForTerminal(string text) => Escape(text, pluginLine: false);

    /// <summary>
    /// For a monitoring plugin's status line or finding lines: also <c>|</c>, which Nagios and its
    /// kin read as the start of performance data.
    /// </summary>
    public static string ForPluginLine(string text) => Escape(text, pluginLine: true);

    /// <summary>
    /// The escape for one character, or null when it is shown as it is. The backslash is left to
    /// the caller's format (hooks.log quotes its own), so this is what formats share.
    /// </summary>
    public static string? EscapeControl(char c) => c switch
    {
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        < ' ' or '\x7f' or (>= '\x80' and <= '\x9f') => string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
        // Terminals and some monitoring web views break lines on these, or reorder what follows.
        '\u061c' or '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069') or '\u2028' or '\u2029'
            => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
        _ when char.IsSurrogate(c) => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
        _ => null,
    };

    private static string Escape(string text, bool pluginLine)
    {
        if (!NeedsEscape(text, pluginLine))
            return text;
        var builder = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            // A well-formed pair is an ordinary character beyond the BMP (an emoji in a name).
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
                continue;
            }

            builder.Append(c switch
            {
                '\\' => "\\\\",
                '|' when pluginLine => "\\x7c",
                _ => EscapeControl(c) ?? c.ToString(),
            });
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(string text, bool pluginLine)
    {
        foreach (var c in text)
        {
            if (c is '\\' || (pluginLine && c == '|') || c < ' ' || c >= '\x7f')
                return true;
        }

        return false;
    }
}
