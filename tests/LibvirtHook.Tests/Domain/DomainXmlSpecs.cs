using LibvirtHook.Domain;

namespace LibvirtHook.Tests.Domain;

public sealed class DomainXmlSpecs
{
    [Fact]
    public void Parse_reads_name_uuid_and_every_kind_of_disk()
    {
        // Arrange
        const string xml = """
            <domain type='kvm' id='3'>
              <name>kiosk "one"</name>
              <uuid>0b7f4c86-2f55-4a9c-9c3c-3f0e2c8a7c11</uuid>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2'/>
                  <source file='/var/lib/libvirt/images/kiosk.qcow2'/>
                  <target dev='vda' bus='virtio'/>
                </disk>
                <disk type='block' device='disk'>
                  <driver name='qemu' type='raw'/>
                  <source dev='/dev/sdz'/>
                  <target dev='vdb' bus='virtio'/>
                </disk>
                <disk type='file' device='cdrom'>
                  <target dev='sdc' bus='sata'/>
                  <readonly/>
                </disk>
              </devices>
            </domain>
            """;

        // Act
        var domain = DomainXml.Parse(xml);

        // Assert
        domain.Name.Should().Be("kiosk \"one\"");
        domain.Uuid.Should().Be("0b7f4c86-2f55-4a9c-9c3c-3f0e2c8a7c11");
        domain.Disks.Should().BeEquivalentTo(new[]
        {
            new DomainDisk { Target = "vda", Device = "disk", Type = "file", SourceFile = "/var/lib/libvirt/images/kiosk.qcow2", DriverType = "qcow2" },
            new DomainDisk { Target = "vdb", Device = "disk", Type = "block", DriverType = "raw" },
            new DomainDisk { Target = "sdc", Device = "cdrom", Type = "file", ReadOnly = true },
        });
    }

    [Fact]
    public void Parse_refuses_a_document_type_declaration_so_no_entity_is_ever_expanded()
    {
        const string xml = """
            <!DOCTYPE domain [<!ENTITY x SYSTEM "file:///etc/shadow">]>
            <domain><name>&x;</name></domain>
            """;

        var act = () => DomainXml.Parse(xml);

        act.Should().Throw<DomainXmlException>().WithMessage("*not valid XML*");
    }

    [Fact]
    public void Parse_refuses_xml_that_is_not_a_domain()
    {
        var act = () => DomainXml.Parse("<network/>");

        act.Should().Throw<DomainXmlException>().WithMessage("*<network>*not <domain>*");
    }
}
