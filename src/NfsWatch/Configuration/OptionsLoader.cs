using NfsWatch.Core;
using System.Text.Json;

namespace NfsWatch.Configuration;

/// <summary>
/// Settles the options of a verb from, lowest first: defaults, the config file, NFSWATCH_* environment
/// variables, the command line. Every bad value is a <see cref="UsageException"/> that names the option and
/// where it came from.
/// </summary>
public static class OptionsLoader
{
    public const string DefaultConfigPath = "/etc/nfswatch/nfswatch.json";

    /// <summary>The largest configuration file read: a few KiB is plenty; /dev/zero or a huge file is refused, not read.</summary>
    public const int MaxConfigBytes = 1 << 20;

    private readonly record struct Setting(string Value, string Origin);

    public static NfsWatchOptions Load(string verb, IReadOnlyList<string> args, Func<string, string?> environment,
        string defaultConfigPath = DefaultConfigPath)
    {
        var settings = new Dictionary<string, Setting>();
        var commandLine = ParseCommandLine(verb, args);

        string? configPath = commandLine.TryGetValue("config", out var c) ? c.Value : environment("NFSWATCH_CONFIG");
        configPath ??= File.Exists(defaultConfigPath) ? defaultConfigPath : null;
        if (configPath is not null)
        {
            IEnumerable<(string, Setting)> fromFile;
            try { fromFile = ReadConfigFile(configPath); }
            // JsonDocument checks the UTF-8 of a string only when it is read (JsonElement.GetString).
            catch (InvalidOperationException e) when (e.InnerException is System.Text.DecoderFallbackException)
            {
                throw new UsageException($"{configPath}: not valid JSON: a string is not valid UTF-8");
            }
            foreach (var (name, setting) in fromFile)
                settings[name] = setting;
        }

        foreach (var spec in OptionSpec.All)
        {
            if (spec.Name == "config") continue;
            if (environment(spec.EnvironmentName) is { } value) settings[spec.Name] = new(value, spec.EnvironmentName);
        }
        foreach (var (name, setting) in commandLine) settings[name] = setting;

        var options = new NfsWatchOptions { ConfigFile = configPath };
        foreach (var (name, (value, origin)) in settings)
        {
            var spec = OptionSpec.Find(name)!;
            if (!spec.AppliesTo(verb)) continue; // a file shared by both verbs may set run-only options
            options = name switch
            {
                "procfs" => options with { Procfs = ParseProcfs(value, origin) },
                "threshold" => options with { Threshold = ParseDuration(value, origin, NfsWatchOptions.ThresholdRange) },
                "interval" => options with { Interval = ParseDuration(value, origin, NfsWatchOptions.IntervalRange) },
                "listen" => options with { Listen = value == "off" ? null : ParseListen(value, origin) },
                "textfile" => options with { Textfile = ParseTextfile(value, origin) },
                "web-config" => options with { WebConfig = value is "" or "none" ? null : ParseExistingFile(value, origin) },
                "json" => options with { Json = ParseFlag(value, origin) },
                "signatures" => options with { Signatures = ParseExistingFile(value, origin) },
                "probe" => options with { Probe = value is "auto" or "bpf" or "procfs" ? value : throw new UsageException($"{origin}: '{value}' is not auto, bpf or procfs") },
                "log" => options with { Log = value is "auto" or "journal" or "console" ? value : throw new UsageException($"{origin}: '{value}' is not auto, journal or console") },
                "ecs-introspection" => options with { EcsIntrospection = value switch
                {
                    "off" => null,
                    "on" => NfsWatchOptions.DefaultEcsEndpoint,
                    _ when ListenAddress.TryParse(value, out var a) && a.Host.Length > 0 && !a.IsAnyAddress => value,
                    _ => throw new UsageException($"{origin}: '{value}' is not off, on or HOST:PORT"),
                } },
                "state-dir" => options with { StateDir = value.Length > 0 ? value : throw new UsageException($"{origin}: must not be empty") },
                "kmsg" => options with { Kmsg = value.Length > 0 ? value : throw new UsageException($"{origin}: must not be empty") },
                _ => options,
            };
        }
        return options;
    }

    private static Dictionary<string, Setting> ParseCommandLine(string verb, IReadOnlyList<string> args)
    {
        var result = new Dictionary<string, Setting>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new UsageException($"unexpected argument '{arg}' for 'nfswatch {verb}'");
            string name = arg[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) (name, inline) = (name[..eq], name[(eq + 1)..]);
            var spec = OptionSpec.Find(name) ?? throw new UsageException($"unknown option '--{name}' for 'nfswatch {verb}'");
            if (!spec.AppliesTo(verb))
                throw new UsageException($"option '--{name}' is for 'nfswatch {spec.Verb}' only");
            string value;
            if (spec.IsFlag)
            {
                value = inline ?? "true";
            }
            else if (inline is not null) value = inline;
            else if (i + 1 < args.Count) value = args[++i];
            else throw new UsageException($"option '--{name}' needs a value ({spec.ValueName})");
            result[name] = new(value, "--" + name);
        }
        return result;
    }

    private static IEnumerable<(string, Setting)> ReadConfigFile(string path)
    {
        JsonDocument doc;
        try
        {
            var contents = BoundedFile.Read(path, MaxConfigBytes);
            doc = JsonDocument.Parse(BoundedFile.WithoutBom(contents.Bytes), new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
        }
        catch (FileRefusedException e)
        {
            throw new UsageException($"--config: cannot read '{path}': {e.Message}");
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path}: not valid JSON: {e.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new UsageException($"{path}: must be a JSON object of options, such as {{\"threshold\": \"30s\"}}");
            var list = new List<(string, Setting)>();
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                var spec = OptionSpec.Find(property.Name);
                if (spec is null || spec.Name == "config")
                    throw new UsageException($"{path}: unknown option \"{property.Name}\" (known: {string.Join(", ", OptionSpec.All.Where(o => o.Name != "config").Select(o => o.Name))})");
                string origin = $"{path}: {property.Name}";
                string value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => throw new UsageException($"{origin}: must be a string{(spec.ValueName == "DURATION" ? " with a unit, such as \"30s\"" : "")}"),
                };
                list.Add((property.Name, new Setting(value, origin)));
            }
            return list;
        }
    }

    private static TimeSpan ParseDuration(string value, string origin, (TimeSpan Min, TimeSpan Max) range)
    {
        if (!Duration.TryParse(value, out var d))
            throw new UsageException($"{origin}: '{value}' is not a duration (a positive number with a unit: 500ms, 5s, 2m, 1h)");
        if (d < range.Min || d > range.Max)
            throw new UsageException($"{origin}: '{value}' is out of range ({Duration.FormatOption(range.Min)} to {Duration.FormatOption(range.Max)})");
        return d;
    }

    private static string? ParseTextfile(string value, string origin)
    {
        if (value is "" or "none") return null;
        if (!value.StartsWith('/')) throw new UsageException($"{origin}: '{value}' is not an absolute path");
        if (!value.EndsWith(".prom", StringComparison.Ordinal))
            throw new UsageException($"{origin}: '{value}' must end in .prom (node_exporter's textfile collector reads only *.prom files)");
        string directory = Path.GetDirectoryName(value)!;
        if (!Directory.Exists(directory)) throw new UsageException($"{origin}: directory '{directory}' does not exist");
        // Anyone could replace the file in a directory everyone can write that is not sticky (the exporter's own
        // writes are safe in a sticky one: see TextfileExporter).
        var mode = File.GetUnixFileMode(directory);
        if ((mode & UnixFileMode.OtherWrite) != 0 && (mode & UnixFileMode.StickyBit) == 0)
            throw new UsageException($"{origin}: directory '{directory}' is writable by everyone and not sticky: anyone could replace the file " +
                                     "there; use a directory that only root and NfsWatch can write, or a sticky one");
        return value;
    }

    private static ListenAddress ParseListen(string value, string origin) =>
        ListenAddress.TryParse(value, out var a) ? a
            : throw new UsageException($"{origin}: '{value}' is not HOST:PORT (for example 127.0.0.1:{ListenAddress.DefaultPort}, [::1]:{ListenAddress.DefaultPort} or :{ListenAddress.DefaultPort})");

    private static bool ParseFlag(string value, string origin) => value switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw new UsageException($"{origin}: '{value}' is not true or false"),
    };

    private static string ParseExistingFile(string value, string origin) =>
        File.Exists(value) ? value : throw new UsageException($"{origin}: '{value}' does not exist");

    private static string ParseProcfs(string value, string origin)
    {
        if (value.Length == 0 || !Directory.Exists(value))
            throw new UsageException($"{origin}: '{value}' is not a directory");
        return value;
    }
}
