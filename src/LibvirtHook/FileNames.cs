using System.Security.Cryptography;
using System.Text;

namespace LibvirtHook;

/// <summary>
/// Turns a domain name into a file name that cannot be mistaken for an option, a hidden file
/// or a path: libvirt allows almost any character in names.
/// </summary>
internal static class FileNames
{
    /// <summary>
    /// The longest escaped name used as is. A file name may have 255 bytes; the state files add
    /// up to 14 (".restarts.json"), and a name of non-ASCII letters escapes to 6 bytes a letter.
    /// </summary>
    public const int MaxReadableLength = 200;

    private const int HashHexDigits = 32;

    /// <summary>
    /// The name with every byte that is not a letter, digit or '_' (nor '.' or '-' after the
    /// first) as %XX. Longer than <see cref="MaxReadableLength"/>: a readable prefix, '~' and
    /// 128 bits of the name's SHA-256, so two long names never share a file.
    /// </summary>
    public static string Escape(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        var builder = new StringBuilder(bytes.Length + 8);
        foreach (var b in bytes)
        {
            var c = (char)b;
            var plain = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'
                || (c is '.' or '-' && builder.Length > 0);
            if (plain)
                builder.Append(c);
            else
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (builder.Length <= MaxReadableLength)
            return builder.ToString();

        // '~' never appears in an escaped name, so a shortened name cannot equal a readable one.
        var prefix = MaxReadableLength - HashHexDigits - 1;
        while (prefix > 0 && (builder[prefix - 1] == '%' || (prefix > 1 && builder[prefix - 2] == '%')))
            prefix--;
        var hash = Convert.ToHexString(SHA256.HashData(bytes))[..HashHexDigits];
        return builder.ToString(0, prefix) + "~" + hash;
    }
}
