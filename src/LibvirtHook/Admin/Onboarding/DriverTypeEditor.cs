using System.Xml;
using System.Xml.Linq;

namespace LibvirtHook.Admin.Onboarding;

/// <summary>
/// Sets <c>&lt;driver type='qcow2'/&gt;</c> on the named disks of a domain XML, for
/// <c>enable --raw-base</c>: the disk then runs on the hook's qcow2 overlay while its image stays
/// raw, which the config records as <c>base-format</c>. Nothing else in the definition changes.
/// </summary>
internal static class DriverTypeEditor
{
    public static string SetQcow2(string xml, IReadOnlyCollection<string> targets)
    {
        var document = XDocument.Parse(xml, LoadOptions.PreserveWhitespace);
        var disks = document.Root!.Element("devices")?.Elements("disk") ?? [];
        foreach (var disk in disks.Where(d => targets.Contains((string?)d.Element("target")?.Attribute("dev") ?? "")))
        {
            var driver = disk.Element("driver");
            if (driver is null)
                disk.AddFirst(driver = new XElement("driver", new XAttribute("name", "qemu")));
            driver.SetAttributeValue("type", "qcow2");
        }

        using var writer = new StringWriter();
        using (var xmlWriter = XmlWriter.Create(writer, new XmlWriterSettings { OmitXmlDeclaration = true }))
            document.Save(xmlWriter);
        return writer.ToString();
    }
}
