using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Audit;

/// <summary>
/// The hash chain over the admin audit trail: one chain for the whole installation (audited changes
/// include admins, roles and tokens, which belong to no site), its head kept in <see cref="ChainHead"/>
/// under <see cref="Name"/> with <see cref="Guid.Empty"/> as its scope.
/// </summary>
public static class AuditChain
{
    public const string Name = "audit";

    public static readonly Guid Scope = Guid.Empty;

    public static string Compute(AuditEntry a, string previousHash) => new ChainText()
        .Field(a.Id)
        .Field(a.Sequence ?? 0)
        .Field(a.At.ToUnixTimeMilliseconds())
        .Field(a.Actor)
        .Field(a.SiteId)
        .Field(a.Action)
        .Field(a.EntityType)
        .Field(a.EntityId)
        .Field(a.Before)
        .Field(a.After)
        .Field(previousHash)
        .Hash();
}
