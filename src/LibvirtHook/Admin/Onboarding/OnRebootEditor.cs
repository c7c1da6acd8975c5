using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace LibvirtHook.Admin.Onboarding;

/// <summary>
/// Sets <c>&lt;on_reboot&gt;destroy&lt;/on_reboot&gt;</c> in a domain XML and changes nothing else:
/// the admin's definition goes back to libvirt byte for byte, but for that one element.
/// </summary>
internal static partial class OnRebootEditor
{
    /// <returns>The edited XML, or null when the domain already has <c>destroy</c>.</returns>
    public static string? SetDestroy(string xml)
    {
        var domain = Domain.DomainXml.Parse(xml);
        if (domain.RebootIsColdBoot)
            return null;

        // Only an element directly under <domain>; one inside <metadata> or <description> is not libvirt's.
        var matches = TopLevelOnReboot().Matches(xml);
        if (matches.Count == 1)
            return xml[..matches[0].Index] + "<on_reboot>destroy</on_reboot>" + xml[(matches[0].Index + matches[0].Length)..];
        if (matches.Count == 0 && XDocument.Parse(xml).Root!.Element("on_reboot") is null)
        {
            // libvirt always writes the element; an XML without it gets it after <on_poweroff>, or before </domain>.
            var anchor = PowerOff().Match(xml);
            return anchor.Success
                ? xml[..(anchor.Index + anchor.Length)] + "\n  <on_reboot>destroy</on_reboot>" + xml[(anchor.Index + anchor.Length)..]
                : xml.Insert(xml.LastIndexOf("</domain>", StringComparison.Ordinal), "  <on_reboot>destroy</on_reboot>\n");
        }

        // Unusual layouts: edit the tree, keeping whitespace.
        var document = XDocument.Parse(xml, LoadOptions.PreserveWhitespace);
        var element = document.Root!.Element("on_reboot");
        if (element is null)
            document.Root.Add(new XElement("on_reboot", "destroy"));
        else
            element.Value = "destroy";
        using var writer = new StringWriter();
        using (var xmlWriter = XmlWriter.Create(writer, new XmlWriterSettings { OmitXmlDeclaration = true }))
            document.Save(xmlWriter);
        return writer.ToString();
    }

    [GeneratedRegex(@"(?<=^  )<on_reboot>\s*[a-z-]+\s*</on_reboot>", RegexOptions.Multiline)]
    private static partial Regex TopLevelOnReboot();

    [GeneratedRegex(@"(?<=^  )<on_poweroff>\s*[a-z-]+\s*</on_poweroff>", RegexOptions.Multiline)]
    private static partial Regex PowerOff();
}
