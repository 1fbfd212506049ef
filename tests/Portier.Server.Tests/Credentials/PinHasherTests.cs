using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Portier.Server.Features.Credentials;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Tests.Credentials;

public sealed class PinHasherTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("portier-pepper-");
    private static readonly Guid Site = Guid.Parse("0190a3b4-0000-7000-8000-000000000001");

    private PinHasher Hasher(string? pepper = null) =>
        new(Options.Create(new PinPepperOptions { PinPepper = pepper }), Options.Create(new DatabaseOptions { DataFolder = _folder.FullName }));

    private static string NewPepper() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void Hash_DifferentPepper_GivesDifferentHash()
    {
        var a = Hasher(NewPepper()).Hash(Site, "1234");
        var b = Hasher(NewPepper()).Hash(Site, "1234");

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Hash_SamePepper_IsStableAndDependsOnSite()
    {
        var pepper = NewPepper();

        Assert.Equal(Hasher(pepper).Hash(Site, "1234"), Hasher(pepper).Hash(Site, "1234"));
        Assert.NotEqual(Hasher(pepper).Hash(Site, "1234"), Hasher(pepper).Hash(Guid.NewGuid(), "1234"));
    }

    [Fact]
    public void Hash_NoConfiguredPepper_CreatesOwnerOnlyKeyFileAndReusesIt()
    {
        var first = Hasher().Hash(Site, "1234");

        var path = Path.Combine(_folder.FullName, PinHasher.KeyFileName);
        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(first, Hasher().Hash(Site, "1234"));
        Assert.Single(_folder.GetFiles());
    }

    [Fact]
    public void Options_ShortPepper_FailValidation()
    {
        var options = new PinPepperOptions { PinPepper = Convert.ToBase64String(new byte[8]) };

        var results = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Single(results);
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
