using Microsoft.EntityFrameworkCore;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Credentials;

/// <summary>Counting a credential's uses, each a conditional UPDATE so racing readers cannot pass a limited credential too often.</summary>
public static class CredentialUses
{
    /// <summary>Counts one use when one is left; false when the credential has used them all.</summary>
    public static async Task<bool> ConsumeAsync(PortierDbContext db, Guid credentialId, CancellationToken ct) =>
        await db.Set<Credential>()
            .Where(c => c.Id == credentialId && (c.MaxUses == null || c.UseCount < c.MaxUses))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UseCount, c => c.UseCount + 1), ct) == 1;

    /// <summary>Gives back a use counted for an attempt that was refused afterwards (the zone filled meanwhile).</summary>
    public static Task RefundAsync(PortierDbContext db, Guid credentialId, CancellationToken ct) =>
        db.Set<Credential>()
            .Where(c => c.Id == credentialId && c.UseCount > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UseCount, c => c.UseCount - 1), ct);
}
