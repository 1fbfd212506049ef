using Portier.Core.Decisions;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.AccessLog;

/// <summary>
/// The per-site hash chain over the access log. Each row's hash covers its own canonical fields and
/// the hash of the row before it in the same site, so editing, removing or reordering any row
/// breaks every link after it; the site's <see cref="ChainHead"/> (moved with every append) makes
/// removing the newest rows visible too.
/// </summary>
public static class AccessEventChain
{
    /// <summary>The chain's name in <see cref="ChainHead.Chain"/>; one head per site.</summary>
    public const string Name = "access_log";

    /// <summary>The "previous hash" of a site's first row.</summary>
    public static readonly string Genesis = ChainText.Genesis;

    /// <summary>
    /// The row's hash. The reader, the anti-passback violation and the offline flag are hashed only when the row has them, after the
    /// other fields, so rows written before either was recorded keep their hashes.
    /// </summary>
    public static string Compute(AccessEvent e, string previousHash) => Canonical(e)
        .Field(previousHash)
        .Hash();

    /// <summary>The row's fields in a fixed order; optional facts follow as named fields only when present.</summary>
    private static ChainText Canonical(AccessEvent e)
    {
        var text = new ChainText()
            .Field(e.Id)
            .Field(e.SiteId)
            .Field(e.Sequence)
            .Field(e.DoorId)
            .Field(e.ZoneId)
            .Field(e.PersonId)
            .Field(e.CredentialId)
            .Field(e.CredentialKind?.ToString())
            .Field(e.PresentedValue)
            .Field(e.DeviceId)
            .Field(e.AdminId)
            .Field(e.Method.ToString())
            .Field(e.At.ToUnixTimeMilliseconds())
            .Field(e.Allowed ? "1" : "0")
            .Field(e.Reason.ToCode())
            .Field(e.Path.ToCode())
            .Field(e.Outcome.ToString())
            .Field(e.OutcomeOf)
            .Field(e.CommandId);
        if (e.ReaderId is not null) text = text.Field("reader").Field(e.ReaderId);
        if (e.Passback != PassbackViolation.None) text = text.Field("passback").Field(e.Passback.ToCode());
        if (e.CompanionPersonId is { } companion) text = text.Field("companion").Field(companion);
        return e.OccurredOffline ? text.Field("offline") : text;
    }
}
