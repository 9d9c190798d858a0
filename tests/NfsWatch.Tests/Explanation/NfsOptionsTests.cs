using NfsWatch.Core.Explanation;

namespace NfsWatch.Tests.Explanation;

/// <summary>What mount options and a source say about an NFS mount, per nfs(5) and fs/nfs/fs_context.c.</summary>
public class NfsOptionsTests
{
    [Theory]
    // vers= and nfsvers= are synonyms (nfs(5)).
    [InlineData("nfs", "vers=3", true, null, "3")]
    [InlineData("nfs", "nfsvers=3", true, null, "3")]
    [InlineData("nfs", "rw,hard,nfsvers=3,proto=tcp", false, null, "3")]
    [InlineData("nfs4", "vers=4.1", true, null, "4.1")]
    [InlineData("nfs", "vers=4.1", false, null, "4.1")]
    [InlineData("nfs4", "nfsvers=4.2", true, null, "4.2")]
    [InlineData("nfs4", "vers=4.0", false, null, "4.0")]
    // vers=4 with minorversion= (the pre-4.1-syntax way of asking for a minor version).
    [InlineData("nfs4", "vers=4,minorversion=1", true, null, "4.1")]
    [InlineData("nfs", "minorversion=2,vers=4", false, null, "4.2")]
    [InlineData("nfs4", "vers=4,minorversion=0", false, null, "4.0")]
    // vers=4 alone: the kernel means 4.0; mount.nfs negotiates, so its command line does not tell.
    [InlineData("nfs4", "vers=4", true, null, "4.0")]
    [InlineData("nfs4", "vers=4", false, null, null)]
    // No version at all: the kernel's defaults per fstype ("nfs" is 3, "nfs4" is 4.0).
    [InlineData("nfs4", null, true, null, "4.0")]
    [InlineData("nfs4", "", true, null, "4.0")]
    [InlineData("nfs4", "hard,timeo=600", true, null, "4.0")]
    [InlineData("nfs4", "minorversion=1", true, null, "4.1")]
    [InlineData("nfs", null, true, null, "3")]
    [InlineData("nfs", "hard,proto=tcp,addr=10.0.1.5", true, null, "3")]
    // ... but on a helper's command line no version means "negotiated".
    [InlineData("nfs4", null, false, null, null)]
    [InlineData("nfs", "hard", false, null, null)]
    // amazon-efs-utils mounts 4.1 unless told otherwise.
    [InlineData("nfs4", "tls", false, "mount.efs", "4.1")]
    [InlineData("nfs4", null, false, "mount.efs", "4.1")]
    [InlineData("nfs4", "tls,minorversion=0", false, "mount.efs", "4.0")]
    [InlineData("nfs4", "tls,nfsvers=4.0", false, "mount.efs", "4.0")]
    // Versions NfsWatch does not model, and garbage.
    [InlineData("nfs", "vers=2", true, null, null)]
    [InlineData("nfs", "nfsvers=5", true, null, null)]
    [InlineData("nfs", "vers=", true, null, null)]
    [InlineData("ext4", null, true, null, null)]
    [InlineData(null, null, true, null, null)]
    // Whitespace around keys and values.
    [InlineData("nfs", " vers = 4.1 ", true, null, "4.1")]
    [InlineData("nfs", "hard , nfsvers=3 ,tcp", true, null, "3")]
    [InlineData("nfs4", "vers=4, minorversion=2", true, null, "4.2")]
    public void Version(string? fstype, string? options, bool fromKernel, string? helper, string? want)
    {
        Assert.Equal(want, NfsOptions.Version(fstype, options, fromKernel, helper));
    }

    // fs/nfs/fs_context.c: "vers" and "nfsvers" are one parameter (Opt_vers), applied in order, so the
    // last one given wins.
    [Fact]
    public void VersionLastOfVersAndNfsversWins()
    {
        Assert.Equal("3", NfsOptions.Version("nfs", "vers=4.1,nfsvers=3", fromKernel: true));
    }

    // fs/nfs/fs_context.c accepts the flags v2, v3, v4, v4.0, v4.1, v4.2 (Opt_v) as well as vers=.
    [Theory]
    [InlineData("nfs", "hard,v4.1", "4.1")]
    [InlineData("nfs", "v4.2", "4.2")]
    [InlineData("nfs4", "v4.1", "4.1")]
    public void VersionFromVFlag(string fstype, string options, string want)
    {
        Assert.Equal(want, NfsOptions.Version(fstype, options, fromKernel: true));
    }

    [Theory]
    [InlineData("fs-123.efs.eu-west-1.amazonaws.com:/", null, "fs-123.efs.eu-west-1.amazonaws.com")]
    [InlineData("fs-123.efs.eu-west-1.amazonaws.com:/", "vers=4.1,addr=10.0.1.9", "fs-123.efs.eu-west-1.amazonaws.com")]
    [InlineData("10.0.1.5:/export", null, "10.0.1.5")]
    [InlineData("10.0.1.5:/export/with:colon", null, "10.0.1.5")]
    [InlineData("[fd00::1]:/x", null, "fd00::1")]
    [InlineData("[fd00::1]:/x", "addr=fd00::2", "fd00::1")]
    [InlineData("fs-1234:/", "tls", "fs-1234")]
    // Docker's local volume driver: device ":/export" with the server only in addr=.
    [InlineData(":/export", "addr=10.0.1.5,vers=4.1", "10.0.1.5")]
    [InlineData(":/export", "vers=4.1, addr = 10.0.1.5 ", "10.0.1.5")]
    [InlineData(null, "addr=10.0.1.5", "10.0.1.5")]
    [InlineData(null, "vers=3,hard", null)]
    [InlineData(null, null, null)]
    [InlineData(":/export", null, null)]
    [InlineData("none", null, null)]
    [InlineData("", "", null)]
    public void Server(string? source, string? options, string? want)
    {
        Assert.Equal(want, NfsOptions.Server(source, options));
    }

    [Theory]
    [InlineData("username=bob,password=hunter2,vers=3.0", "username=bob,password=***,vers=3.0")]
    [InlineData("user=bob,pass=hunter2", "user=bob,pass=***")]
    [InlineData("passwd=x", "passwd=***")]
    [InlineData("name=admin,secret=AQBSdFhb", "name=admin,secret=***")]
    [InlineData("secretfile=/etc/ceph/admin.secret", "secretfile=***")]
    [InlineData("token=abc.def.ghi", "token=***")]
    [InlineData("key=client.admin", "key=***")]
    [InlineData("cred=/root/.smb", "cred=***")]
    [InlineData("credentials=/root/.smb", "credentials=***")]
    [InlineData("authkey=abc,psk=def", "authkey=***,psk=***")]
    // Keys are case-insensitive; the key's own spelling is kept.
    [InlineData("PASSWORD=x,Token=y,KEY=z", "PASSWORD=***,Token=***,KEY=***")]
    [InlineData(" password =x", " password =***")]
    // A value may itself contain '=' (base64 padding): all of it goes.
    [InlineData("secret=AQBSdFhbAAAAABAA==,rw", "secret=***,rw")]
    [InlineData("password=a=b=c", "password=***")]
    // Options without secrets are unchanged, including look-alikes.
    [InlineData("rw,vers=4.1,hard,timeo=600,addr=10.0.1.9", "rw,vers=4.1,hard,timeo=600,addr=10.0.1.9")]
    [InlineData("keyring=x,passive,password", "keyring=x,passive,password")]
    [InlineData("=secret", "=secret")]
    [InlineData("", "")]
    [InlineData(",,", ",,")]
    public void Redact(string options, string want)
    {
        Assert.Equal(want, NfsOptions.Redact(options));
    }

    [Fact]
    public void RedactNull()
    {
        Assert.Null(NfsOptions.Redact(null));
    }

    // fs/smb/client/fs_context.c smb3_fs_context_parse_monolithic: ",," inside mount data is an escaped comma
    // (mount.cifs doubles commas in a password), so "password=ab,,cd" is the password "ab,cd".
    [Fact]
    public void RedactPasswordWithEscapedComma()
    {
        string have = NfsOptions.Redact("user=bob,password=ab,,cd,vers=3.0")!;
        Assert.DoesNotContain("cd", have.Replace("vers=3.0", ""), StringComparison.Ordinal);
    }

    // fs/smb/client/fs_context.c (Linux 6.10+): "password2" / "pass2" carry the second password during rotation.
    [Theory]
    [InlineData("password2=next", "password2=***")]
    [InlineData("pass2=next", "pass2=***")]
    public void RedactCifsSecondPassword(string options, string want)
    {
        Assert.Equal(want, NfsOptions.Redact(options));
    }

    [Theory]
    [InlineData("nfs", true)]
    [InlineData("nfs4", true)]
    [InlineData("NFS", false)]
    [InlineData("nfsd", false)]
    [InlineData("fuse.sshfs", false)]
    [InlineData(null, false)]
    public void IsNfs(string? fstype, bool want)
    {
        Assert.Equal(want, NfsOptions.IsNfs(fstype));
    }
}
