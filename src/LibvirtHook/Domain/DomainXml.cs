using System.Xml;
using System.Xml.Linq;

namespace LibvirtHook.Domain;

/// <summary>Reads the domain XML libvirt passes on stdin.</summary>
internal static class DomainXml
{
    /// <summary>The domain, or null when the XML is not libvirt's domain XML (for callers that can do without it).</summary>
    public static DomainDescription? TryParse(string xml)
    {
        try
        {
            return Parse(xml);
        }
        catch (DomainXmlException)
        {
            return null;
        }
    }

    public static DomainDescription Parse(string xml)
    {
        // libvirt never sends a DTD; refusing one rules out entity expansion of any kind.
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = 64 * 1024 * 1024,
        };

        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw new DomainXmlException($"The domain XML on stdin is not valid XML ({e.Message}); the hook expects libvirt's domain XML.", e);
        }

        var root = document.Root;
        if (root is null || root.Name.LocalName != "domain")
            throw new DomainXmlException($"The XML on stdin has root element <{root?.Name.LocalName}>, not <domain>; the hook expects libvirt's domain XML.");

        var disks = root.Element("devices")?.Elements("disk").Select(ParseDisk).ToList() ?? [];
        return new DomainDescription
        {
            Name = root.Element("name")?.Value ?? "",
            Uuid = root.Element("uuid")?.Value ?? "",
            Disks = disks,
            OnReboot = root.Element("on_reboot")?.Value.Trim() is { Length: > 0 } onReboot ? onReboot : "restart",
        };
    }

    private static DomainDisk ParseDisk(XElement disk) => new()
    {
        Target = (string?)disk.Element("target")?.Attribute("dev") ?? "",
        Device = (string?)disk.Attribute("device") ?? "disk",
        Type = (string?)disk.Attribute("type") ?? "file",
        SourceFile = (string?)disk.Element("source")?.Attribute("file"),
        DriverType = (string?)disk.Element("driver")?.Attribute("type"),
        ReadOnly = disk.Element("readonly") is not null,
    };
}
