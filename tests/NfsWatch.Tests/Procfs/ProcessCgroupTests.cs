using NfsWatch.Core.Procfs;

namespace NfsWatch.Tests.Procfs;

public class ProcessCgroupTests
{
    private const string Id = "7d3f0c1e2b4a59687766554433221100ffeeddccbbaa99887766554433221100";

    [Theory]
    // cgroup v2, a service
    [InlineData("0::/system.slice/docker.service\n", "docker.service", null)]
    [InlineData("0::/system.slice/mnt-efs.mount\n", "mnt-efs.mount", null)]
    [InlineData("0::/system.slice/system-nfs.slice\n", null, null)]
    // cgroup v2, Docker with the systemd cgroup driver: the container's own scope unit
    [InlineData("0::/system.slice/docker-" + Id + ".scope\n", "docker-" + Id + ".scope", Id)]
    // cgroup v2, Kubernetes with containerd
    [InlineData("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cri-containerd-" + Id + ".scope\n", "cri-containerd-" + Id + ".scope", Id)]
    // cgroup v1, ECS on Amazon Linux 2
    [InlineData("11:memory:/ecs/0a1b2c3d/" + Id + "\n1:name=systemd:/ecs/0a1b2c3d/" + Id + "\n", null, Id)]
    // cgroup v1, Docker's cgroupfs driver
    [InlineData("12:pids:/docker/" + Id + "\n1:name=systemd:/docker/" + Id + "\n", null, Id)]
    // a login session
    [InlineData("0::/user.slice/user-0.slice/session-3.scope\n", "session-3.scope", null)]
    // the root cgroup (this sandbox)
    [InlineData("0::/\n", null, null)]
    public void UnitAndContainerComeFromThePath(string text, string? wantUnit, string? wantContainer)
    {
        var have = ProcessCgroup.Parse(text);
        Assert.NotNull(have);
        Assert.Equal((wantUnit, wantContainer), (have!.Unit, have.ContainerId));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("1:cpu:relative\n")]
    public void NoPathNoAnswer(string text) => Assert.Null(ProcessCgroup.Parse(text));

    [Fact]
    public void AShorterHexRunIsNoContainerId() =>
        Assert.Null(ProcessCgroup.ContainerIdIn("/system.slice/abc123def.service"));
}
