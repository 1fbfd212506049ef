using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Auth;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Auth;

/// <summary>
/// Every login pays for one password verification, whether or not the email belongs to an admin,
/// so the answer's timing does not reveal admin emails. Counted with a real hasher, not timed.
/// </summary>
public sealed class LoginCostTests : IAsyncLifetime
{
    private sealed class CountingHasher : IPasswordHasher<AdminAccount>
    {
        private readonly PasswordHasher<AdminAccount> _real = new();
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(AdminAccount user, string password) => _real.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(AdminAccount user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _real.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    private readonly CountingHasher _hasher = new();
    private PortierServer _server = null!;

    public async ValueTask InitializeAsync() =>
        _server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite),
            builder => builder.ConfigureTestServices(services => services.AddSingleton<IPasswordHasher<AdminAccount>>(_hasher)));

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private async Task<int> VerificationsForAsync(string email, string password, HttpStatusCode expected)
    {
        var before = _hasher.Verifications;
        Assert.Equal(expected, (await _server.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email, password })).StatusCode);
        return _hasher.Verifications - before;
    }

    [Fact]
    public async Task Login_UnknownDisabledOrPasswordlessAccount_VerifiesAPasswordJustLikeAKnownOne()
    {
        var admin = _server.Admin();
        var email = $"{Guid.NewGuid():N}@example.org";
        var disabled = $"{Guid.NewGuid():N}@example.org";
        await (await admin.PostJsonAsync("/api/v1/admins", new { email, name = "Known", password = "correct horse battery" })).ExpectAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/v1/admins", new { email = disabled, name = "Off", password = "correct horse battery", disabled = true }))
            .ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(1, await VerificationsForAsync(email, "wrong password!!", HttpStatusCode.Unauthorized));
        Assert.Equal(1, await VerificationsForAsync($"{Guid.NewGuid():N}@example.org", "wrong password!!", HttpStatusCode.Unauthorized));
        Assert.Equal(1, await VerificationsForAsync(disabled, "correct horse battery", HttpStatusCode.Unauthorized));
        Assert.Equal(1, await VerificationsForAsync(AdminBootstrap.BootstrapEmail, "no password is set", HttpStatusCode.Unauthorized));
        Assert.Equal(1, await VerificationsForAsync(email, "correct horse battery", HttpStatusCode.OK));
    }
}
