using System.Text;
using NfsWatch.Core.Detection;
using NfsWatch.Core.Explanation;
using NfsWatch.Tests.Support;

namespace NfsWatch.Tests.Explanation;

/// <summary>
/// The signature file format (an operator's --signatures file and the embedded defaults): parsing, the errors an
/// operator sees, the operator's file ahead of the defaults, and which threads a signature may match.
/// </summary>
public sealed class SignatureCatalogTests : IDisposable
{
    private const string Origin = "/etc/nfswatch/signatures.json";
    private readonly string _dir = Directory.CreateTempSubdirectory("nfswatch-signatures-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>JSON written with ' for " so that it fits on a line.</summary>
    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text.Replace('\'', '"'));

    private const string Ok = "'id':'ok','title':'T','reference':'R','remediation':'M'";
    private const string OkStacks = "'stacks':[{'frames':['f']}]";

    private static IReadOnlyList<StackSignature> Parse(string json) => SignatureCatalog.Parse(Json(json), Origin);

    [Fact]
    public void DefaultsLoadInOrder()
    {
        Assert.Equal(
            ["nfs4-client-init-deadlock", "nfs-client-init-queued", "nfs4-clientid-not-answered", "nfs-client-ping-not-answered",
             "nfs-server-unreachable-at-mount", "nfs3-mountd-not-answering", "nfs3-lockd-start-hang", "sb-lock-wait", "nfs-umount-waits-for-server",
             "nfs4-state-recovery-wait", "cifs-session-setup-stalled", "cifs-session-lock-wait", "cifs-io-waits-for-server", "fuse-server-not-answering", "autofs-mount-wait",
             "dir-lock-behind-blocked-io", "nfs-mount-rpc-not-answered", "nfs-io-waits-for-server"],
            SignatureCatalog.Defaults.Signatures.Select(s => s.Id));
    }

    [Fact]
    public void DefaultsAreComplete()
    {
        foreach (var s in SignatureCatalog.Defaults.Signatures)
        {
            Assert.False(string.IsNullOrWhiteSpace(s.Title), s.Id);
            Assert.False(string.IsNullOrWhiteSpace(s.Reference), s.Id);
            Assert.False(string.IsNullOrWhiteSpace(s.Remediation), s.Id);
            Assert.NotEmpty(s.Stacks);
            Assert.All(s.Stacks, p => Assert.NotEmpty(p.Frames));
        }
        var scopes = SignatureCatalog.Defaults.Signatures.ToDictionary(s => s.Id, s => s.Scope);
        // pNFS data-server connections reach client initialisation from I/O, not only from mount(2).
        Assert.Equal(SignatureScope.Any, scopes["nfs4-client-init-deadlock"]);
        Assert.Equal(SignatureScope.Any, scopes["nfs-client-init-queued"]);
        Assert.Equal(SignatureScope.Mount, scopes["nfs-server-unreachable-at-mount"]);
        Assert.Equal(SignatureScope.Mount, scopes["nfs-mount-rpc-not-answered"]);
        Assert.Equal(SignatureScope.Blocked, scopes["nfs-io-waits-for-server"]);
    }

    [Fact]
    public void ToMatchCarriesTheText()
    {
        var s = SignatureCatalog.Defaults.Signatures[0];

        Assert.Equal(new SignatureMatch(s.Id, s.Title, s.Reference, s.Remediation), s.ToMatch());
    }

    [Fact]
    public void ParseEveryField()
    {
        var have = Assert.Single(Parse("""
            // an operator file: comments and trailing commas are allowed
            {
              'signatures': [
                {
                  'id': 'site-nfs.v4_1', 'title': 'T', 'reference': 'R', 'remediation': 'M',
                  'applies_to': 'blocked', 'nfs_versions': ['4.1', '4.2'], 'kernel': {'from': '4.14', 'before': '5.10.0-8-amd64'},
                  'comment': 'anything',
                  'stacks': [
                    {'role': 'blocker', 'frames': ['rpc_wait_bit_killable', 'nfs4_*|nfs41_*'], 'wchan': 'rpc_wait_bit_killable', 'comment': 'x'},
                    {'anchored': true, 'frames': ['lockd_up', 'nlmclnt_init'], 'without': ['svc_bind']},
                    {'frames': ['a.b_c9'],},
                  ],
                },
              ],
            }
            """));

        Assert.Equal(("site-nfs.v4_1", "T", "R", "M"), (have.Id, have.Title, have.Reference, have.Remediation));
        Assert.Equal(SignatureScope.Blocked, have.Scope);
        Assert.Equal(["4.1", "4.2"], have.NfsVersions!);
        Assert.Equal(new KernelRange(new KernelVersion(4, 14, 0), new KernelVersion(5, 10, 0)), have.Kernel);
        Assert.Equal(3, have.Stacks.Count);
        Assert.Equal(["rpc_wait_bit_killable", "nfs4_*|nfs41_*"], have.Stacks[0].Frames);
        Assert.Equal(("rpc_wait_bit_killable", false), (have.Stacks[0].Wchan, have.Stacks[0].Anchored));
        Assert.Equal(((string?)null, true), (have.Stacks[1].Wchan, have.Stacks[1].Anchored));
        Assert.Equal(["svc_bind"], have.Stacks[1].Without!);
        Assert.Equal(((string?)null, false), (have.Stacks[2].Wchan, have.Stacks[2].Anchored));
    }

    [Fact]
    public void ParseDefaultsOfOptionalFields()
    {
        var have = Assert.Single(Parse($"{{'signatures':[{{{Ok},{OkStacks}}}]}}"));

        Assert.Equal(SignatureScope.Any, have.Scope);
        Assert.Null(have.NfsVersions);
        Assert.Null(have.Kernel);
    }

    [Theory]
    [InlineData("any", SignatureScope.Any)]
    [InlineData("mount", SignatureScope.Mount)]
    [InlineData("blocked", SignatureScope.Blocked)]
    public void ParseAppliesTo(string value, SignatureScope want)
    {
        Assert.Equal(want, Assert.Single(Parse($"{{'signatures':[{{{Ok},'applies_to':'{value}',{OkStacks}}}]}}")).Scope);
    }

    [Fact]
    public void ParseOpenKernelRange()
    {
        var have = Assert.Single(Parse($"{{'signatures':[{{{Ok},'kernel':{{'before':'4.13'}},{OkStacks}}}]}}"));

        Assert.Equal(new KernelRange(null, new KernelVersion(4, 13, 0)), have.Kernel);
    }

    [Fact]
    public void ParseOfAnEmptyListIsEmpty()
    {
        Assert.Empty(Parse("{'signatures':[]}"));
    }

    /// <summary>Each bad file, and the parts its error message must name: the origin, the signature (index, id) and the field.</summary>
    public static TheoryData<string, string, string[]> BadFiles => new()
    {
        { "not JSON", "{'signatures': [", ["not valid JSON"] },
        { "not JSON at all", "signatures", ["not valid JSON"] },
        { "empty", "", ["not valid JSON"] },
        { "no signatures", "{}", ["\"signatures\""] },
        { "signatures not an array", "{'signatures': {}}", ["\"signatures\""] },
        { "root an array", "[]", ["\"signatures\""] },
        { "unknown top field", "{'signatures': [], 'version': 2}", ["unknown field \"version\""] },
        { "signature not an object", "{'signatures': ['x']}", ["signature #1", "must be an object"] },
        { "unknown signature field", $"{{'signatures':[{{{Ok},{OkStacks},'severity':'high'}}]}}", ["signature #1", "\"ok\"", "unknown field \"severity\""] },
        { "missing id", $"{{'signatures':[{{'title':'T','reference':'R','remediation':'M',{OkStacks}}}]}}", ["signature #1", "\"id\""] },
        { "id not a string", $"{{'signatures':[{{'id':7,'title':'T','reference':'R','remediation':'M',{OkStacks}}}]}}", ["signature #1", "\"id\"", "must be a string"] },
        { "missing title", $"{{'signatures':[{{'id':'ok','reference':'R','remediation':'M',{OkStacks}}}]}}", ["signature #1", "\"ok\"", "\"title\""] },
        { "empty title", $"{{'signatures':[{{'id':'ok','title':'','reference':'R','remediation':'M',{OkStacks}}}]}}", ["signature #1", "\"ok\"", "\"title\""] },
        { "missing reference", $"{{'signatures':[{{'id':'ok','title':'T','remediation':'M',{OkStacks}}}]}}", ["signature #1", "\"ok\"", "\"reference\""] },
        { "missing remediation", $"{{'signatures':[{{'id':'ok','title':'T','reference':'R',{OkStacks}}}]}}", ["signature #1", "\"ok\"", "\"remediation\""] },
        { "bad id characters", $"{{'signatures':[{{'id':'Bad Id!','title':'T','reference':'R','remediation':'M',{OkStacks}}}]}}", ["signature #1", "\"Bad Id!\"", "\"id\""] },
        { "upper-case id", $"{{'signatures':[{{'id':'NFS-x','title':'T','reference':'R','remediation':'M',{OkStacks}}}]}}", ["signature #1", "\"NFS-x\"", "\"id\""] },
        { "id too long", $"{{'signatures':[{{'id':'{new string('a', 65)}','title':'T','reference':'R','remediation':'M',{OkStacks}}}]}}", ["signature #1", "\"id\"", "64"] },
        { "duplicate id", $"{{'signatures':[{{{Ok},{OkStacks}}},{{{Ok},{OkStacks}}}]}}", ["signature #2", "\"ok\"", "id"] },
        { "bad applies_to", $"{{'signatures':[{{{Ok},'applies_to':'always',{OkStacks}}}]}}", ["signature #1", "\"ok\"", "\"applies_to\"", "\"always\""] },
        { "applies_to not a string", $"{{'signatures':[{{{Ok},'applies_to':true,{OkStacks}}}]}}", ["signature #1", "\"ok\"", "\"applies_to\""] },
        { "bad nfs_versions value", $"{{'signatures':[{{{Ok},'nfs_versions':['4.1','4'],{OkStacks}}}]}}", ["signature #1", "\"ok\"", "\"nfs_versions\"", "\"4\""] },
        { "nfs_versions not an array", $"{{'signatures':[{{{Ok},'nfs_versions':'4.1',{OkStacks}}}]}}", ["signature #1", "\"ok\"", "\"nfs_versions\""] },
        { "nfs_versions not strings", $"{{'signatures':[{{{Ok},'nfs_versions':[4.1],{OkStacks}}}]}}", ["signature #1", "\"ok\"", "\"nfs_versions\""] },
        { "bad kernel version", $"{{'signatures':[{{{Ok},'kernel':{{'from':'garbage'}},{OkStacks}}}]}}", ["signature #1", "\"ok\"", "kernel", "\"from\"", "\"garbage\""] },
        { "bad kernel before", $"{{'signatures':[{{{Ok},'kernel':{{'from':'3.10','before':'next'}},{OkStacks}}}]}}", ["signature #1", "\"ok\"", "kernel", "\"before\"", "\"next\""] },
        { "kernel not an object", $"{{'signatures':[{{{Ok},'kernel':'4.13',{OkStacks}}}]}}", ["signature #1", "\"ok\"", "\"kernel\""] },
        { "unknown kernel field", $"{{'signatures':[{{{Ok},'kernel':{{'after':'4.13'}},{OkStacks}}}]}}", ["signature #1", "\"ok\"", "kernel", "unknown field \"after\""] },
        { "kernel version not a string", $"{{'signatures':[{{{Ok},'kernel':{{'from':4.13}},{OkStacks}}}]}}", ["signature #1", "\"ok\"", "kernel", "\"from\""] },
        { "missing stacks", $"{{'signatures':[{{{Ok}}}]}}", ["signature #1", "\"ok\"", "\"stacks\""] },
        { "empty stacks", $"{{'signatures':[{{{Ok},'stacks':[]}}]}}", ["signature #1", "\"ok\"", "\"stacks\""] },
        { "stacks not an array", $"{{'signatures':[{{{Ok},'stacks':{{'frames':['f']}}}}]}}", ["signature #1", "\"ok\"", "\"stacks\""] },
        { "stack not an object", $"{{'signatures':[{{{Ok},'stacks':[['f']]}}]}}", ["signature #1", "\"ok\"", "stack #1", "must be an object"] },
        { "missing frames", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['f']}},{{'role':'waiter'}}]}}]}}", ["signature #1", "\"ok\"", "stack #2", "\"frames\""] },
        { "empty frames", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':[]}}]}}]}}", ["signature #1", "\"ok\"", "stack #1", "\"frames\""] },
        { "frames not strings", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':[1]}}]}}]}}", ["signature #1", "\"ok\"", "stack #1", "\"frames\""] },
        { "frame with an offset", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['nfs_get_client+0x1c8/0x3d0']}}]}}]}}", ["signature #1", "\"ok\"", "stack #1", "frame \"nfs_get_client+0x1c8/0x3d0\""] },
        { "frame with a space", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['rpc_wait bit']}}]}}]}}", ["signature #1", "\"ok\"", "stack #1", "frame \"rpc_wait bit\""] },
        { "frame with a module", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['rpc_execute [sunrpc]']}}]}}]}}", ["signature #1", "\"ok\"", "stack #1", "frame"] },
        { "frame with an empty alternative", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['a||b']}}]}}]}}", ["signature #1", "\"ok\"", "stack #1", "frame \"a||b\""] },
        { "empty frame", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['']}}]}}]}}", ["signature #1", "\"ok\"", "stack #1", "frame \"\""] },
        { "bad role", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['f'],'role':'victim'}}]}}]}}", ["signature #1", "\"ok\"", "stack #1", "\"role\"", "\"victim\""] },
        { "a hidden lock frame", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['*mutex_lock*','nfs4_discover_server_trunking']}}]}}]}}", ["signature #1", "\"ok\"", "stack #1", "*mutex_lock*", "never shows", "anchored"] },
        { "the scheduler", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['f|schedule']}}]}}]}}", ["stack #1", "schedule", "never shows"] },
        { "a hidden frame excluded", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['f'],'without':['down_write']}}]}}]}}", ["stack #1", "down_write", "never shows"] },
        { "a hidden wchan", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['f'],'wchan':'rwsem_down_write_slowpath'}}]}}]}}", ["stack #1", "rwsem_down_write_slowpath"] },
        { "a star for everything", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['*']}}]}}]}}", ["stack #1", "never shows"] },
        { "anchored not a boolean", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['f'],'anchored':'yes'}}]}}]}}", ["stack #1", "\"anchored\""] },
        { "without not an array", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['f'],'without':'g'}}]}}]}}", ["stack #1", "\"without\""] },
        { "role not a string", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['f'],'role':null}}]}}]}}", ["signature #1", "\"ok\"", "stack #1", "\"role\""] },
        { "wchan not a string", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['f'],'wchan':['x']}}]}}]}}", ["signature #1", "\"ok\"", "stack #1", "\"wchan\""] },
        { "unknown stack field", $"{{'signatures':[{{{Ok},'stacks':[{{'frames':['f'],'state':'D'}}]}}]}}", ["signature #1", "\"ok\"", "stack #1", "unknown field \"state\""] },
        { "error in the third signature", $"{{'signatures':[{{{Ok},{OkStacks}}},{{'id':'b','title':'T','reference':'R','remediation':'M',{OkStacks}}},{{'id':'c','title':'T','reference':'R',{OkStacks}}}]}}", ["signature #3", "\"c\"", "\"remediation\""] },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void ParseErrorsNameTheOriginSignatureAndField(string what, string json, string[] mustName)
    {
        var e = Assert.Throws<SignatureFileException>(() => Parse(json));

        Assert.StartsWith(Origin + ": ", e.Message, StringComparison.Ordinal);
        foreach (string part in mustName) Assert.True(e.Message.Contains(part, StringComparison.Ordinal), $"{what}: \"{e.Message}\" does not name {part}");
    }

    // Found by HostileInputTests: JsonDocument checks a string's UTF-8 only when it is read, and threw
    // InvalidOperationException out of Parse instead of a message naming the file.
    [Theory]
    [InlineData("{'signatures':[{'id':'ok?','title':'T','reference':'R','remediation':'M','stacks':[{'frames':['f']}]}]}")]
    [InlineData("{'signatures':[{'id':'ok','title':'T?','reference':'R','remediation':'M','stacks':[{'frames':['f']}]}]}")]
    [InlineData("{'signatures':[{'id':'ok','title':'T','reference':'R','remediation':'M','stacks':[{'frames':['f?']}]}]}")]
    [InlineData("{'signatures':[{'id':'ok','title':'T','reference':'R','remediation':'M','stacks':[{'frames':['f']}],'?':1}]}")]
    public void InvalidUtf8InAStringIsABadFile(string json)
    {
        byte[] bytes = Json(json);
        bytes[Array.IndexOf(bytes, (byte)'?')] = 0xff;

        var e = Assert.Throws<SignatureFileException>(() => SignatureCatalog.Parse(bytes, Origin));

        Assert.Equal($"{Origin}: not valid JSON: a string is not valid UTF-8", e.Message);
    }

    [Fact]
    public void LoadOfNoFileIsTheDefaults()
    {
        Assert.Same(SignatureCatalog.Defaults, SignatureCatalog.Load(null));
    }

    [Fact]
    public void LoadPutsTheOperatorsSignaturesFirstAndReplacesDefaultsOfTheSameId()
    {
        string file = Path.Combine(_dir, "signatures.json");
        File.WriteAllBytes(file, Json("""
            {'signatures': [
              {'id': 'site-autofs', 'title': 'Site', 'reference': 'R', 'remediation': 'M', 'stacks': [{'frames': ['autofs_wait']}]},
              {'id': 'nfs3-lockd-start-hang', 'title': 'Ours', 'reference': 'R', 'remediation': 'M', 'applies_to': 'mount', 'stacks': [{'frames': ['lockd_up']}]}
            ]}
            """));

        var have = SignatureCatalog.Load(file);

        Assert.Equal(
            ["site-autofs", "nfs3-lockd-start-hang", .. SignatureCatalog.Defaults.Signatures.Select(s => s.Id).Where(id => id != "nfs3-lockd-start-hang")],
            have.Signatures.Select(s => s.Id));
        Assert.Equal("Ours", have.Signatures[1].Title);
        Assert.Equal(SignatureCatalog.Defaults.Signatures.Count + 1, have.Signatures.Count);
        // The defaults themselves are untouched.
        Assert.Contains(SignatureCatalog.Defaults.Signatures, s => s.Id == "nfs3-lockd-start-hang" && s.Title != "Ours");
    }

    [Fact]
    public void OperatorSignatureIsTriedBeforeTheDefaults()
    {
        string file = Path.Combine(_dir, "signatures.json");
        File.WriteAllBytes(file, Json("{'signatures': [{'id': 'site-any-rpc-wait', 'title': 'T', 'reference': 'R', 'remediation': 'M', 'stacks': [{'frames': ['rpc_wait_bit_killable']}]}]}"));
        var thread = Snapshots.Thread(10, 10, 300, true, stack: ["rpc_wait_bit_killable", "rpc_call_null_helper", "rpc_create_xprt", "rpc_create", "nfs_create_rpc_client", "nfs4_alloc_client", "__x64_sys_mount"]);

        Assert.Equal("nfs-server-unreachable-at-mount", SignatureCatalog.Defaults.Match(thread, null, null)?.Signature.Id);
        Assert.Equal("site-any-rpc-wait", SignatureCatalog.Load(file).Match(thread, null, null)?.Signature.Id);
    }

    [Fact]
    public void LoadOfAFifoADeviceOrAHugeFileIsRefusedWithTheReason()
    {
        string fifo = Path.Combine(_dir, "fifo.json");
        Assert.Equal(0, Posix.MkFifo(fifo, 0b110_000_000));
        string big = Path.Combine(_dir, "big.json");
        using (var f = File.Create(big)) f.SetLength(100 << 20);

        Assert.Equal($"{fifo}: cannot read: is a FIFO, not a regular file", Assert.Throws<SignatureFileException>(() => SignatureCatalog.Load(fifo)).Message);
        Assert.Equal("/dev/zero: cannot read: is a character device, not a regular file", Assert.Throws<SignatureFileException>(() => SignatureCatalog.Load("/dev/zero")).Message);
        Assert.Contains("larger than the 1 MiB", Assert.Throws<SignatureFileException>(() => SignatureCatalog.Load(big)).Message);
    }

    [Fact]
    public void LoadOfAFileWithAByteOrderMarkReadsIt()
    {
        string file = Path.Combine(_dir, "bom.json");
        File.WriteAllBytes(file, [0xEF, 0xBB, 0xBF, .. Json($"{{'signatures':[{{{Ok},{OkStacks}}}]}}")]);

        Assert.Equal("ok", SignatureCatalog.Load(file).Signatures[0].Id);
    }

    [Fact]
    public void LoadOfAMissingFileNamesTheFile()
    {
        string file = Path.Combine(_dir, "missing", "signatures.json");

        var e = Assert.Throws<SignatureFileException>(() => SignatureCatalog.Load(file));

        Assert.Contains(file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOfADirectoryNamesIt()
    {
        var e = Assert.Throws<SignatureFileException>(() => SignatureCatalog.Load(_dir));

        Assert.Contains(_dir, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOfABadFileNamesTheFileAndTheSignature()
    {
        string file = Path.Combine(_dir, "bad.json");
        File.WriteAllBytes(file, Json($"{{'signatures':[{{{Ok},'applies_to':'sometimes',{OkStacks}}}]}}"));

        var e = Assert.Throws<SignatureFileException>(() => SignatureCatalog.Load(file));

        Assert.StartsWith(file + ": signature #1 (\"ok\")", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOfAFileWithDuplicateIdsFails()
    {
        string file = Path.Combine(_dir, "dup.json");
        File.WriteAllBytes(file, Json($"{{'signatures':[{{{Ok},{OkStacks}}},{{{Ok},{OkStacks}}}]}}"));

        Assert.Throws<SignatureFileException>(() => SignatureCatalog.Load(file));
    }

    private static SignatureCatalog Catalog(string signatureFields, string frames = "'f'") =>
        new(Parse($"{{'signatures':[{{{Ok},{signatureFields}'stacks':[{{'frames':[{frames}]}}]}}]}}"));

    private static ObservedThread Thread(bool mount = true, string[]? stack = null) =>
        Snapshots.Thread(1, 1, 60, true, syscall: mount ? "mount" : "newfstatat", stack: stack ?? ["f", "g"]);

    [Theory]
    [InlineData("", true, true)]
    [InlineData("'applies_to':'any',", true, true)]
    [InlineData("'applies_to':'any',", false, true)]
    [InlineData("'applies_to':'mount',", true, true)]
    [InlineData("'applies_to':'mount',", false, false)]
    [InlineData("'applies_to':'blocked',", true, false)]
    [InlineData("'applies_to':'blocked',", false, true)]
    public void MatchRespectsAppliesTo(string fields, bool isMountCall, bool want)
    {
        Assert.Equal(want, Catalog(fields).Match(Thread(isMountCall), null, null) is not null);
    }

    [Theory]
    [InlineData("4.1", true)]
    [InlineData("4.2", true)]
    // A known other version rules the signature out ...
    [InlineData("3", false)]
    [InlineData("4.0", false)]
    // ... an unknown one does not.
    [InlineData(null, true)]
    public void MatchRespectsNfsVersions(string? threadVersion, bool want)
    {
        Assert.Equal(want, Catalog("'nfs_versions':['4.1','4.2'],").Match(Thread(), threadVersion, null) is not null);
    }

    [Theory]
    [InlineData("3.10.0-1160.el7.x86_64", true)]
    [InlineData("4.12.14", true)]
    [InlineData("4.13.0", false)]
    [InlineData("6.1.0-56-amd64", false)]
    [InlineData("3.9.11", false)]
    // An unknown kernel does not rule it out.
    [InlineData(null, true)]
    public void MatchRespectsTheKernelRange(string? release, bool want)
    {
        var kernel = release is null ? null : KernelVersion.TryParse(release);

        Assert.Equal(want, Catalog("'kernel':{'from':'3.10','before':'4.13'},").Match(Thread(), null, kernel) is not null);
    }

    [Fact]
    public void MatchNeedsTheStack()
    {
        Assert.Null(Catalog("", "'g','f'").Match(Thread(), null, null));
        Assert.NotNull(Catalog("", "'f','g'").Match(Thread(), null, null));
    }

    [Fact]
    public void AnAnchoredPatternNeedsItsFirstFrameInnermost()
    {
        var catalog = new SignatureCatalog(Parse($"{{'signatures':[{{{Ok},'stacks':[{{'anchored':true,'frames':['lockd_up','nlmclnt_init']}}]}}]}}"));

        // A mount waiting for nlmsvc_mutex shows lockd_up innermost; the one holding it has gone past it.
        Assert.NotNull(catalog.Match(Thread(stack: ["lockd_up", "nlmclnt_init", "nfs_start_lockd"]), null, null));
        Assert.Null(catalog.Match(Thread(stack: ["rpc_wait_bit_killable", "svc_bind", "lockd_up", "nlmclnt_init"]), null, null));
    }

    [Fact]
    public void AFrameOfWithoutRulesTheStackOut()
    {
        var catalog = new SignatureCatalog(Parse($"{{'signatures':[{{{Ok},'stacks':[{{'frames':['rpc_create'],'without':['nfs4_init_client']}}]}}]}}"));

        Assert.NotNull(catalog.Match(Thread(stack: ["rpc_create", "nfs_create_rpc_client", "nfs4_alloc_client"]), null, null));
        Assert.Null(catalog.Match(Thread(stack: ["rpc_create", "nfs_create_rpc_client", "nfs4_init_client"]), null, null));
    }

    [Fact]
    public void AFrameMatchesItsCompilerClones()
    {
        var catalog = new SignatureCatalog(Parse($"{{'signatures':[{{{Ok},'stacks':[{{'frames':['nfs_init_server','nfs_request_mount']}}]}}]}}"));

        Assert.NotNull(catalog.Match(Thread(stack: ["nfs_init_server.isra.0", "nfs_request_mount.constprop.0.isra.0"]), null, null));
        Assert.Null(catalog.Match(Thread(stack: ["nfs_init_server_x", "nfs_request_mount"]), null, null));
    }

    [Fact]
    public void MatchReturnsTheFirstMatchingSignatureAndItsPattern()
    {
        var catalog = new SignatureCatalog(Parse("""
            {'signatures': [
              {'id': 'other', 'title': 'T', 'reference': 'R', 'remediation': 'M', 'stacks': [{'frames': ['x']}]},
              {'id': 'first', 'title': 'T', 'reference': 'R', 'remediation': 'M',
               'stacks': [{'frames': ['y']}, {'frames': ['g']}, {'frames': ['f']}]},
              {'id': 'second', 'title': 'T', 'reference': 'R', 'remediation': 'M', 'stacks': [{'frames': ['f']}]}
            ]}
            """));

        var have = catalog.Match(Thread(), null, null);

        Assert.NotNull(have);
        Assert.Equal("first", have.Value.Signature.Id);
        Assert.Equal(["g"], have.Value.Pattern.Frames);
    }

    [Fact]
    public void MatchOfNothingIsNull()
    {
        Assert.Null(new SignatureCatalog([]).Match(Thread(), null, null));
        Assert.Null(Catalog("", "'h'").Match(Thread(), null, null));
    }
}
