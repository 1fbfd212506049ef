using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Auth;

/// <summary>
/// First run: while no admin can sign in to the console (none exists, or only the API-token admin of
/// PORTIER_ADMIN_TOKEN, which has no password), the console's setup page asks for a one-time code that
/// the server prints in its log at start. Only the code's hash is kept, in memory; it burns after
/// the first console admin is created or after too many wrong guesses (a restart prints a new one).
/// </summary>
public sealed partial class SetupCode(ILogger<SetupCode> logger)
{
    public const int MaxFailures = 10;
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private readonly Lock _gate = new();
    private byte[]? _hash;
    private int _failures;

    public bool IsOpen
    {
        get { lock (_gate) return _hash is not null; }
    }

    /// <summary>Whether some admin can sign in to the console: with a password, or through single sign-on only.</summary>
    public static Task<bool> AnyConsoleAdminAsync(PortierDbContext db, CancellationToken ct) =>
        db.Set<AdminAccount>().AnyAsync(a => a.PasswordHash != null || a.SsoOnly, ct);

    /// <summary>Issues and logs a code when no admin can sign in to the console yet; closes setup otherwise.</summary>
    public async Task AnnounceIfNeededAsync(PortierDbContext db, CancellationToken ct)
    {
        if (await AnyConsoleAdminAsync(db, ct))
        {
            Burn();
            return;
        }
        var code = string.Join('-', Enumerable.Range(0, 3).Select(_ => RandomNumberGenerator.GetString(Alphabet, 4)));
        lock (_gate)
        {
            _hash = Hash(code);
            _failures = 0;
        }
        LogCode(logger, code);
    }

    /// <summary>True when <paramref name="presented"/> is the current code; wrong guesses count towards burning it.</summary>
    public bool Check(string? presented)
    {
        var candidate = Hash(Normalize(presented));
        lock (_gate)
        {
            if (_hash is null) return false;
            if (CryptographicOperations.FixedTimeEquals(_hash, candidate)) return true;
            if (++_failures >= MaxFailures) _hash = null;
            return false;
        }
    }

    public void Burn()
    {
        lock (_gate) _hash = null;
    }

    private static string Normalize(string? code) => (code ?? "").Trim().ToUpperInvariant().Replace(" ", "", StringComparison.Ordinal);

    private static byte[] Hash(string code) => SHA256.HashData(Encoding.UTF8.GetBytes(code));

    [LoggerMessage(Level = LogLevel.Warning, Message = "No admin can sign in to the console yet. Open /console/setup and enter the setup code {Code} to create the first console admin.")]
    private static partial void LogCode(ILogger logger, string code);
}

public static class SetupCodeExtensions
{
    public static async Task AnnounceSetupCodeAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await app.Services.GetRequiredService<SetupCode>()
            .AnnounceIfNeededAsync(scope.ServiceProvider.GetRequiredService<PortierDbContext>(), CancellationToken.None);
    }

    /// <summary>
    /// Creates the first console admin with a full-access role, when the code matches and still no admin can sign in.
    /// Answers the validation errors (field → messages) or null on success.
    /// </summary>
    public static async Task<IDictionary<string, string[]>?> CreateFirstAdminAsync(
        this SetupCode setup, string? code, AdminRequest request, PortierDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Infrastructure.Http.ValidationErrors();
        request.Validate(errors);
        errors.Require(request.Password is not null, "password", "Is required.");
        if (errors.Any) return errors.ToDictionary();
        if (!setup.Check(code) || await SetupCode.AnyConsoleAdminAsync(db, ct))
            return new Dictionary<string, string[]> { ["code"] = ["The setup code is wrong or no longer valid; see the server log."] };

        var email = request.Email.Trim().ToLowerInvariant();
        if (await db.Set<AdminAccount>().AnyAsync(a => a.Email == email, ct))
            return new Dictionary<string, string[]> { ["email"] = ["An admin with this email exists (the API-token admin); choose your own email."] };

        var role = await db.Set<Role>().FirstOrDefaultAsync(r => r.Name == "Administrators", ct);
        if (role is null)
        {
            role = new Role { Name = "Administrators", Permissions = [Permissions.FullAccess] };
            db.Add(role);
        }
        var admin = new AdminAccount { Email = email, Name = request.Name.Trim(), CreatedAt = clock.GetCurrentInstant() };
        AdminsApi.Apply(request with { RoleIds = [role.Id], SiteIds = [], Disabled = false }, admin);
        db.Add(admin);
        await db.SaveChangesAsync(ct);
        setup.Burn();
        return null;
    }
}
