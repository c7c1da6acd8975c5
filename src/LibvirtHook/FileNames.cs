using System.Text;

namespace LibvirtHook;

/// <summary>
/// Turns a domain name into a file name that cannot be mistaken for an option, a hidden file
/// or a path: libvirt allows almost any character in names.
/// </summary>
public static class FileNames
{
    public static string Escape(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            var c = (char)b;
            var plain = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'
                || (c is '.' or '-' && builder.Length > 0);
            if (plain)
                builder.Append(c);
            else
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
