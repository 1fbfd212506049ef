using System.Globalization;
using System.Runtime.InteropServices;

namespace Portier.TestOidcProvider;

/// <summary>Try single sign-on on one machine (docs/sso.md): the test provider on 127.0.0.1, one user, one redirect URI.</summary>
internal static class ProviderProgram
{
    public static async Task Main(string[] args)
    {
        var options = args.Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0].TrimStart('-'), p => p[1], StringComparer.Ordinal);
        var port = int.Parse(options.GetValueOrDefault("port", "5099"), CultureInfo.InvariantCulture);
        var email = options.GetValueOrDefault("email", "admin@example.org");
        var user = new TestUser(options.GetValueOrDefault("user", "admin"), email, EmailVerified: true,
            options.GetValueOrDefault("groups", "portier-admins").Split(',', StringSplitOptions.RemoveEmptyEntries), options.GetValueOrDefault("name", email));

        await using var provider = await OidcTestProvider.StartAsync(port, user);
        provider.AllowRedirectUri(options.GetValueOrDefault("redirect", "http://127.0.0.1:5080/signin-oidc-test"));
        Console.WriteLine($"Test OpenID Connect provider at {provider.Authority} (client {OidcTestProvider.ClientId}, secret {OidcTestProvider.ClientSecret}).");
        Console.WriteLine($"Sign in there as '{user.Username}': email {user.Email} (verified), groups {string.Join(", ", user.Groups)}. Ctrl+C stops.");
        var stopped = new TaskCompletionSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopped.TrySetResult();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        await stopped.Task;
    }
}
