using Portier.Core.Model;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Credentials;

/// <summary>The parts of a credential an admin may change after issuing it.</summary>
public sealed record CredentialTerms(string? Label, DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil, int? MaxUses)
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(Label is null || Label.Length <= 200, "label", "Must be at most 200 characters.");
        ValidityWindow.Validate(ValidFrom, ValidUntil, errors);
        errors.Require(MaxUses is null or >= 1, "maxUses", "Must be at least 1, or null for unlimited.");
    }

    public void ApplyTo(Credential credential)
    {
        credential.Label = string.IsNullOrWhiteSpace(Label) ? null : Label.Trim();
        credential.ValidFrom = ValidityWindow.ToInstant(ValidFrom);
        credential.ValidUntil = ValidityWindow.ToInstant(ValidUntil);
        credential.MaxUses = MaxUses;
    }
}

/// <summary>
/// Issue a card, barcode or PIN. Cards and barcodes carry <c>value</c>; a PIN carries <c>pin</c>,
/// which is hashed at once and never shown again.
/// </summary>
public sealed record CreateCredentialRequest(
    Guid PersonId,
    CredentialKind Kind,
    string? Value = null,
    string? Pin = null,
    string? Label = null,
    DateTimeOffset? ValidFrom = null,
    DateTimeOffset? ValidUntil = null,
    int? MaxUses = null) : IValidatable
{
    public CredentialTerms Terms => new(Label, ValidFrom, ValidUntil, MaxUses);

    /// <summary>The lookup form of the card or barcode number; null for a PIN or an unreadable number.</summary>
    public string? NormalizedValue => Kind switch
    {
        CredentialKind.Card => CredentialValues.NormalizeCard(Value),
        CredentialKind.Barcode => CredentialValues.NormalizeBarcode(Value),
        _ => null,
    };

    public void Validate(ValidationErrors errors)
    {
        errors.Require(PersonId != Guid.Empty, "personId", "Is required.");
        Terms.Validate(errors);
        switch (Kind)
        {
            case CredentialKind.Card or CredentialKind.Barcode:
                if (Value is null) errors.Add("value", "Is required.");
                else if (NormalizedValue is null)
                    errors.Add("value", Kind == CredentialKind.Card
                        ? $"Must be a card number of hex digits (separators allowed), at most {CredentialValues.MaxCardLength}."
                        : $"Must be printable ASCII, at most {CredentialValues.MaxBarcodeLength} characters.");
                errors.Require(Pin is null, "pin", "Only PIN credentials take a pin.");
                break;
            case CredentialKind.Pin:
                errors.Require(CredentialValues.IsPinShaped(Pin), "pin", $"Must be digits only, at most {CredentialValues.MaxPinLength}.");
                errors.Require(Value is null, "value", "A PIN credential takes pin, not value.");
                break;
        }
    }
}

public sealed record UpdateCredentialRequest(
    string? Label = null,
    DateTimeOffset? ValidFrom = null,
    DateTimeOffset? ValidUntil = null,
    int? MaxUses = null) : IValidatable
{
    public CredentialTerms Terms => new(Label, ValidFrom, ValidUntil, MaxUses);

    public void Validate(ValidationErrors errors) => Terms.Validate(errors);
}

/// <summary>A credential as the API shows it: never a PIN or any hash; <c>hasSecret</c> marks a PIN.</summary>
public sealed record CredentialResponse(
    Guid Id,
    Guid SiteId,
    Guid PersonId,
    CredentialKind Kind,
    string? Value,
    bool HasSecret,
    string? Label,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidUntil,
    int? MaxUses,
    int UseCount,
    bool Revoked,
    DateTimeOffset? RevokedAt,
    DateTimeOffset CreatedAt)
{
    public static CredentialResponse From(Credential c) =>
        new(c.Id, c.SiteId, c.PersonId, c.Kind, c.Value, c.Kind == CredentialKind.Pin, c.Label,
            ValidityWindow.ToOffset(c.ValidFrom), ValidityWindow.ToOffset(c.ValidUntil), c.MaxUses, c.UseCount,
            c.Revoked, ValidityWindow.ToOffset(c.RevokedAt), c.CreatedAt.ToDateTimeOffset());
}
