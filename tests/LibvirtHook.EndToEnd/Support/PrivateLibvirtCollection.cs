namespace LibvirtHook.EndToEnd.Support;

[CollectionDefinition(Name)]
public sealed class PrivateLibvirtCollection : ICollectionFixture<PrivateLibvirt>
{
    public const string Name = "private libvirtd";
}
