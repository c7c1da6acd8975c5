using System.Text.Json;
using LibvirtHook.Domain;
using LibvirtHook.Tools;

namespace LibvirtHook.Config;

/// <summary>
/// Strict reading of a VM config: every mistake gets one sentence that names the file, the
/// place in it and the fix. Hand-written over <see cref="JsonDocument"/> because a serializer's
/// messages cannot suggest the key the admin meant.
/// </summary>
internal static class ConfigParser
{
    private static readonly string[] RootKeys = ["disks", "restart"];
    private static readonly string[] DiskKeys = ["target", "one-shot-commit", "base-format"];
    private static readonly string[] RestartKeys = ["on", "delay-seconds", "max-restarts", "window-seconds"];

    public static VmConfig Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            // Comments are allowed: admins explain their choices, and the hook's own edits keep them.
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw Error(source, $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}; fix the syntax");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Error(source, $"must hold a JSON object like {{\"disks\": [{{\"target\": \"vda\"}}]}}, not {Describe(root)}");
            CheckKeys(root, RootKeys, source, "the top level");

            var disks = root.TryGetProperty("disks", out var disksElement) ? ParseDisks(disksElement, source) : [];
            var restart = root.TryGetProperty("restart", out var restartElement) ? ParseRestart(restartElement, source) : null;
            return new VmConfig { Source = source, Disks = disks, Restart = restart };
        }
    }

    private static List<DiskConfig> ParseDisks(JsonElement element, string source)
    {
        if (element.ValueKind != JsonValueKind.Array)
            throw Error(source, $"\"disks\" must be a list like [{{\"target\": \"vda\"}}], not {Describe(element)}");

        var disks = new List<DiskConfig>();
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var where = $"disks[{index}]";
            if (item.ValueKind != JsonValueKind.Object)
                throw Error(source, $"{where} must be an object like {{\"target\": \"vda\"}}, not {Describe(item)}");
            CheckKeys(item, DiskKeys, source, where);

            if (!item.TryGetProperty("target", out var target))
                throw Error(source, $"{where} has no \"target\"; add the disk's <target dev=...> name, for example \"target\": \"vda\"");
            if (target.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(target.GetString()))
                throw Error(source, $"{where}.target must be a disk name string such as \"vda\", not {Describe(target)}");
            var name = target.GetString()!;
            if (disks.Any(d => d.Target == name))
                throw Error(source, $"names disk \"{name}\" twice (again at {where}); keep one entry per disk");

            disks.Add(new DiskConfig
            {
                Target = name,
                OneShotCommit = ReadBool(item, "one-shot-commit", source, where) ?? false,
                BaseFormat = ReadFormat(item, source, where) ?? ImageFormat.Qcow2,
            });
            index++;
        }

        return disks;
    }

    private static RestartPolicy ParseRestart(JsonElement element, string source)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Error(source, $"\"restart\" must be an object such as {{}} or {{\"on\": [\"shutdown\"]}}, not {Describe(element)}");
        CheckKeys(element, RestartKeys, source, "restart");

        var policy = new RestartPolicy();
        if (element.TryGetProperty("on", out var on))
        {
            if (on.ValueKind != JsonValueKind.Array)
                throw Error(source, $"restart.on must be a list of shut-off reasons such as [\"shutdown\", \"crashed\"], not {Describe(on)}");
            var reasons = new List<ShutoffReason>();
            foreach (var item in on.EnumerateArray())
            {
                // libvirt's own spelling ("from snapshot") and the log's ("from-snapshot") both mean the same reason.
                var known = ShutoffReasons.TryParse(item.ValueKind == JsonValueKind.String ? item.GetString() : null, out var reason) && reason != ShutoffReason.NotKnownYet;
                if (known && reason.LivesOnElsewhere())
                    throw Error(source, $"restart.on holds \"{reason.Name()}\", but a saved or migrated VM is never restarted (its state lives elsewhere); remove it");
                if (!known)
                    throw Error(source, $"restart.on holds {Describe(item)}, which is not a shut-off reason; use some of {string.Join(", ", ShutoffReasons.Restartable.Select(r => $"\"{r.Name()}\""))}");
                if (!reasons.Contains(reason))
                    reasons.Add(reason);
            }

            policy = policy with { On = reasons };
        }

        return policy with
        {
            DelaySeconds = ReadInt(element, "delay-seconds", 0, 3600, source) ?? policy.DelaySeconds,
            MaxRestarts = ReadInt(element, "max-restarts", 0, 10_000, source) ?? policy.MaxRestarts,
            WindowSeconds = ReadInt(element, "window-seconds", 1, 7 * 24 * 3600, source) ?? policy.WindowSeconds,
        };
    }

    private static bool? ReadBool(JsonElement parent, string key, string source, string where)
    {
        if (!parent.TryGetProperty(key, out var value))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(source, $"{where}.{key} must be true or false (without quotes), not {Describe(value)}"),
        };
    }

    private static ImageFormat? ReadFormat(JsonElement parent, string source, string where)
    {
        if (!parent.TryGetProperty("base-format", out var value))
            return null;
        if (value.ValueKind == JsonValueKind.String && ImageFormats.TryParse(value.GetString(), out var format))
            return format;
        throw Error(source, $"{where}.base-format must be {string.Join(" or ", ImageFormats.All.Select(f => $"\"{f.Name()}\""))} (the image's own format; the overlay is always qcow2), not {Describe(value)}");
    }

    private static int? ReadInt(JsonElement parent, string key, int min, int max, string source)
    {
        if (!parent.TryGetProperty(key, out var value))
            return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
            throw Error(source, $"restart.{key} must be a whole number from {min} to {max}, not {Describe(value)}");
        return number;
    }

    private static void CheckKeys(JsonElement element, string[] known, string source, string where)
    {
        var seen = new HashSet<string>();
        foreach (var property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name))
                throw Error(source, $"{where} has key \"{property.Name}\" twice; keep one");
            if (!known.Contains(property.Name))
            {
                throw Error(source, $"{where} has unknown key \"{property.Name}\"; did you mean \"{NearestName.Find(property.Name, known)}\"? (known keys: {string.Join(", ", known.Select(k => $"\"{k}\""))})");
            }
        }
    }

    private static string Describe(JsonElement element)
    {
        var text = element.GetRawText();
        if (text.Length > 40)
            text = text[..37] + "...";
        var kind = element.ValueKind switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Null => "null",
            JsonValueKind.Array => "a list",
            JsonValueKind.Object => "an object",
            _ => "a value",
        };
        return element.ValueKind == JsonValueKind.Null ? "null" : $"{kind} ({text})";
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }

    private static ConfigException Error(string source, string problem) => new($"Config \"{source}\" {problem}.");
}
