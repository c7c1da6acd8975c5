namespace LogContention;

/// <summary>The comparison's command line: --processes N --lines M --runs R --writers A,B.</summary>
internal sealed record ComparisonOptions
{
    public int Processes { get; init; } = 40;

    public int Lines { get; init; } = 500;

    public int Runs { get; init; } = 1;

    public IReadOnlyList<WriterKind> Writers { get; init; } = Enum.GetValues<WriterKind>();

    public static ComparisonOptions? Parse(string[] args)
    {
        var options = new ComparisonOptions();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--processes" when int.TryParse(value, out var n) && n > 0 => options with { Processes = n },
                "--lines" when int.TryParse(value, out var n) && n > 0 => options with { Lines = n },
                "--runs" when int.TryParse(value, out var n) && n > 0 => options with { Runs = n },
                "--writers" => options with { Writers = value.Split(',').Select(w => Enum.Parse<WriterKind>(w, ignoreCase: true)).ToArray() },
                _ => null,
            };
            if (options is null)
                return null;
        }

        return args.Length % 2 == 0 ? options : null;
    }
}
