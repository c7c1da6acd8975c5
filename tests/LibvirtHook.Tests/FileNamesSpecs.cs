namespace LibvirtHook.Tests;

public sealed class FileNamesSpecs
{
    [Theory]
    [InlineData("kiosk-1.lab", "kiosk-1.lab")]
    [InlineData("my vm", "my%20vm")]
    [InlineData("-rf", "%2Drf")]
    [InlineData("..", "%2E.")]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("$(reboot)", "%24%28reboot%29")]
    [InlineData("é", "%C3%A9")]
    public void Escape_makes_any_domain_name_a_plain_file_name(string name, string expected)
    {
        FileNames.Escape(name).Should().Be(expected);
    }
}
