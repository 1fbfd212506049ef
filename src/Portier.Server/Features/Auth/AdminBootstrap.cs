using Portier.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Auth;

/// <summary>
/// On an empty database, PORTIER_ADMIN_TOKEN becomes a full-access token of a first admin account,
/// so a fresh install can be driven through the API at once.
/// </summary>
public static partial class AdminBootstrap
{
    public const string TokenVariable = "PORTIER_ADMIN_TOKEN";
    public const string BootstrapEmail = "admin@portier.local";

    public static async Task EnsureBootstrapAdminAsync(this WebApplication app)
    {
        var token = app.Configuration[TokenVariable];
        if (string.IsNullOrWhiteSpace(token)) return;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        if (await db.Set<AdminAccount>().AnyAsync()) return;

        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetCurrentInstant();
        var admin = new AdminAccount { Email = BootstrapEmail, Name = "Administrator", CreatedAt = now };
        db.Add(admin);
        db.Add(new ApiToken
        {
            Name = TokenVariable,
            TokenHash = TokenSecrets.Hash(token.Trim()),
            Prefix = TokenSecrets.DisplayPrefix(token.Trim()),
            Kind = TokenKind.Api,
            AdminId = admin.Id,
            Permissions = [Permissions.FullAccess],
            CreatedAt = now,
        });
        // Nodes starting together on one empty database: the first to save creates the admin, the
        // others find the email taken and go on with the admin it made.
        if (await db.TrySaveUniqueAsync(CancellationToken.None)) LogCreated(app.Logger, BootstrapEmail);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the first admin {Email} with the token from PORTIER_ADMIN_TOKEN")]
    private static partial void LogCreated(ILogger logger, string email);
}
