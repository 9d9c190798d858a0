using System.Text.Json;
using NfsWatch.Core.Detection;

namespace NfsWatch.Core.Explanation;

/// <summary>A signature file that cannot be used; the message names the file, the signature and the field.</summary>
public sealed class SignatureFileException(string message) : Exception(message);

/// <summary>
/// The known kernel problems, in the order they are tried: the operator's file first (so it can refine or
/// override a default), then the defaults shipped in the binary (Explanation/signatures.json). The first
/// signature whose stack pattern matches a thread names it.
/// </summary>
public sealed class SignatureCatalog
{
    private static readonly HashSet<string> TopFields = ["signatures"];
    private static readonly HashSet<string> SignatureFields = ["id", "title", "reference", "remediation", "applies_to", "nfs_versions", "kernel", "stacks", "comment"];
    // "role" was read by earlier versions; roles now come from the wait-for graph, and the field is ignored.
    private static readonly HashSet<string> StackFields = ["frames", "anchored", "without", "role", "wchan", "comment"];
    private static readonly HashSet<string> NfsVersionValues = ["3", "4.0", "4.1", "4.2"];

    /// <summary>The largest signature file read (the built-in catalogue is about 20 KiB).</summary>
    public const int MaxFileBytes = 1 << 20;

    public SignatureCatalog(IReadOnlyList<StackSignature> signatures) => Signatures = signatures;

    public IReadOnlyList<StackSignature> Signatures { get; }

    public static SignatureCatalog Defaults { get; } = new(LoadDefaults());

    /// <summary>The defaults, preceded by the operator's signatures from <paramref name="operatorFile"/> when given.</summary>
    public static SignatureCatalog Load(string? operatorFile)
    {
        if (operatorFile is null) return Defaults;
        byte[] bytes;
        try { bytes = BoundedFile.WithoutBom(BoundedFile.Read(operatorFile, MaxFileBytes).Bytes).ToArray(); }
        catch (FileRefusedException e)
        {
            throw new SignatureFileException($"{operatorFile}: cannot read: {e.Message}");
        }
        var own = Parse(bytes, operatorFile);
        var clash = own.Select(s => s.Id).Intersect(Defaults.Signatures.Select(s => s.Id)).ToList();
        // An operator signature with a default's id replaces that default.
        return new SignatureCatalog([.. own, .. Defaults.Signatures.Where(d => !clash.Contains(d.Id))]);
    }

    /// <summary>The first signature matching the thread, with the stack shape that matched.</summary>
    public (StackSignature Signature, StackPattern Pattern)? Match(ObservedThread thread, string? nfsVersion, KernelVersion? kernel)
    {
        foreach (var signature in Signatures)
            if (signature.Match(thread, nfsVersion, kernel) is { } pattern) return (signature, pattern);
        return null;
    }

    private static IReadOnlyList<StackSignature> LoadDefaults()
    {
        using var stream = typeof(SignatureCatalog).Assembly.GetManifestResourceStream("NfsWatch.Core.signatures.json")
            ?? throw new InvalidOperationException("the default signatures are missing from the build");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return Parse(memory.ToArray(), "default signatures");
    }

    public static IReadOnlyList<StackSignature> Parse(byte[] json, string origin)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new SignatureFileException($"{origin}: not valid JSON: {e.Message}");
        }
        using (doc)
        {
            try { return ParseSignatures(doc.RootElement, origin); }
            // JsonDocument checks the UTF-8 of a string only when it is read (JsonElement.GetString).
            catch (InvalidOperationException e) when (e.InnerException is System.Text.DecoderFallbackException)
            {
                throw new SignatureFileException($"{origin}: not valid JSON: a string is not valid UTF-8");
            }
        }
    }

    private static List<StackSignature> ParseSignatures(JsonElement root, string origin)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("signatures", out var list) || list.ValueKind != JsonValueKind.Array)
            throw new SignatureFileException($"{origin}: must be an object with a \"signatures\" array");
        CheckFields(root, TopFields, origin);
        var result = new List<StackSignature>();
        var ids = new HashSet<string>();
        int index = 0;
        foreach (var item in list.EnumerateArray())
        {
            index++;
            string where = $"{origin}: signature #{index}";
            if (item.ValueKind != JsonValueKind.Object) throw new SignatureFileException($"{where}: must be an object");
            string id = RequiredString(item, "id", where);
            where = $"{origin}: signature #{index} (\"{id}\")";
            if (id.Length > 64 || !id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'))
                throw new SignatureFileException($"{where}: \"id\" must be at most 64 characters of a-z, 0-9, '-', '_' and '.' (it becomes a metric label)");
            if (!ids.Add(id)) throw new SignatureFileException($"{where}: the id is used twice");
            CheckFields(item, SignatureFields, where);
            var scope = OptionalString(item, "applies_to", where) switch
            {
                null or "any" => SignatureScope.Any,
                "mount" => SignatureScope.Mount,
                "blocked" => SignatureScope.Blocked,
                var other => throw new SignatureFileException($"{where}: \"applies_to\" is \"{other}\"; use \"mount\", \"blocked\" or \"any\""),
            };
            IReadOnlyList<string>? versions = null;
            if (item.TryGetProperty("nfs_versions", out var v))
            {
                versions = StringArray(v, "nfs_versions", where);
                foreach (string version in versions)
                    if (!NfsVersionValues.Contains(version))
                        throw new SignatureFileException($"{where}: \"nfs_versions\" has \"{version}\"; use \"3\", \"4.0\", \"4.1\" or \"4.2\"");
            }
            result.Add(new StackSignature(id, RequiredString(item, "title", where), RequiredString(item, "reference", where),
                RequiredString(item, "remediation", where), scope, versions, ParseKernel(item, where), ParseStacks(item, where)));
        }
        return result;
    }

    private static KernelRange? ParseKernel(JsonElement item, string where)
    {
        if (!item.TryGetProperty("kernel", out var k)) return null;
        if (k.ValueKind != JsonValueKind.Object) throw new SignatureFileException($"{where}: \"kernel\" must be an object such as {{\"from\": \"3.10\", \"before\": \"4.13\"}}");
        CheckFields(k, ["from", "before"], $"{where}: kernel");
        KernelVersion? Version(string name)
        {
            string? text = OptionalString(k, name, $"{where}: kernel");
            if (text is null) return null;
            return KernelVersion.TryParse(text) ?? throw new SignatureFileException($"{where}: kernel \"{name}\" is \"{text}\", not a version such as \"4.13\"");
        }
        return new KernelRange(Version("from"), Version("before"));
    }

    private static List<StackPattern> ParseStacks(JsonElement item, string where)
    {
        if (!item.TryGetProperty("stacks", out var stacks) || stacks.ValueKind != JsonValueKind.Array || stacks.GetArrayLength() == 0)
            throw new SignatureFileException($"{where}: needs \"stacks\": a non-empty array of {{\"frames\": [...]}}");
        var patterns = new List<StackPattern>();
        int n = 0;
        foreach (var stack in stacks.EnumerateArray())
        {
            n++;
            string at = $"{where}: stack #{n}";
            if (stack.ValueKind != JsonValueKind.Object) throw new SignatureFileException($"{at}: must be an object");
            CheckFields(stack, StackFields, at);
            if (!stack.TryGetProperty("frames", out var f)) throw new SignatureFileException($"{at}: needs \"frames\"");
            var frames = StringArray(f, "frames", at);
            if (frames.Count == 0) throw new SignatureFileException($"{at}: \"frames\" must not be empty");
            var without = stack.TryGetProperty("without", out var w) ? StringArray(w, "without", at) : null;
            string? wchan = OptionalString(stack, "wchan", at);
            foreach (string frame in frames.Concat(without ?? []).Concat(wchan is null ? [] : [wchan])) CheckFrame(frame, at);
            bool anchored = false;
            if (stack.TryGetProperty("anchored", out var a))
                anchored = a.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw new SignatureFileException($"{at}: \"anchored\" must be true or false"),
                };
            string? role = OptionalString(stack, "role", at);
            if (role is not (null or "blocker" or "waiter"))
                throw new SignatureFileException($"{at}: \"role\" is \"{role}\"; use \"blocker\" or \"waiter\" (or leave it out: roles come from the wait-for graph)");
            patterns.Add(new StackPattern(frames, wchan, anchored, without));
        }
        return patterns;
    }

    /// <summary>A frame pattern must name functions, and none that /proc/PID/stack never shows.</summary>
    private static void CheckFrame(string frame, string at)
    {
        foreach (string alternative in frame.Split('|'))
        {
            if (alternative.Length == 0 || alternative.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '*')))
                throw new SignatureFileException($"{at}: frame \"{frame}\" is not a function name (letters, digits, '_', '.', '*' wildcards, '|' between alternatives)");
            if (HiddenFrames.MatchedBy(alternative) is { } hidden)
                throw new SignatureFileException($"{at}: frame \"{alternative}\" would match {hidden}, which /proc/PID/stack never shows " +
                    "(the scheduler and sleeping locks are skipped): name the function that takes the lock, first, with \"anchored\": true");
        }
    }

    private static void CheckFields(JsonElement obj, HashSet<string> known, string where)
    {
        foreach (var p in obj.EnumerateObject())
            if (!known.Contains(p.Name))
                throw new SignatureFileException($"{where}: unknown field \"{p.Name}\" (known: {string.Join(", ", known.Order())})");
    }

    private static string RequiredString(JsonElement obj, string name, string where) =>
        OptionalString(obj, name, where) is { Length: > 0 } s ? s : throw new SignatureFileException($"{where}: needs a non-empty string \"{name}\"");

    private static string? OptionalString(JsonElement obj, string name, string where)
    {
        if (!obj.TryGetProperty(name, out var value)) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new SignatureFileException($"{where}: \"{name}\" must be a string");
    }

    private static List<string> StringArray(JsonElement value, string name, string where)
    {
        if (value.ValueKind != JsonValueKind.Array) throw new SignatureFileException($"{where}: \"{name}\" must be an array of strings");
        var list = new List<string>();
        foreach (var e in value.EnumerateArray())
            list.Add(e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new SignatureFileException($"{where}: \"{name}\" must be an array of strings"));
        return list;
    }
}
