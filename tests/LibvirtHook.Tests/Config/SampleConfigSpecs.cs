using LibvirtHook.Config;

namespace LibvirtHook.Tests.Config;

/// <summary>The shipped samples must be configs the hook accepts.</summary>
public sealed class SampleConfigSpecs
{
    public static TheoryData<string> Samples()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory!.FullName, "LibvirtHook.sln")))
            directory = directory.Parent;
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(directory.FullName, "hooks-config-samples"), "*.json").Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal)))
            data.Add(file);
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_sample_is_a_valid_config(string path)
    {
        var config = ConfigParser.Parse(File.ReadAllText(path), path);

        (config.Disks.Count + (config.Restart is null ? 0 : 1)).Should().BeGreaterThan(0);
    }
}
