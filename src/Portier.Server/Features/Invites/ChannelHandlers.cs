using Portier.Core.Invites;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Invites;

/// <summary>What an integration can do; shown as chips when a handler is picked.</summary>
public sealed record ChannelCapabilities(
    bool Customers,
    bool Contacts,
    bool CustomerContactLink,
    bool IssuesPin,
    bool SyncsPin,
    bool InboundValidation,
    bool FaceVerification,
    bool RemoteRevoke,
    bool PulseGate)
{
    /// <summary>Biometric methods are enrolled and checked by the channel, so only one that verifies faces may carry them.</summary>
    public bool Supports(CredentialMethod method) => method switch
    {
        CredentialMethod.Pin or CredentialMethod.Otp or CredentialMethod.Qr => true,
        CredentialMethod.Fingerprint or CredentialMethod.Facial or CredentialMethod.Liveness => FaceVerification,
        _ => false,
    };

    public ChannelAbilities Abilities(bool external) => new(RemoteRevoke, external && SyncsPin);
}

/// <summary>
/// One configuration field of a handler. A field with <see cref="RequiredWhenField"/> is shown and
/// required only while that field equals <see cref="RequiredWhenValue"/>. Secret fields are never read back.
/// </summary>
public sealed record ChannelField(
    string Name,
    string Label,
    string Type,
    bool Required,
    bool Secret = false,
    IReadOnlyList<string>? Options = null,
    string? RequiredWhenField = null,
    string? RequiredWhenValue = null);

public sealed record ChannelHandler(string Name, string Label, string Description, ChannelCapabilities Capabilities, IReadOnlyList<ChannelField> Fields)
{
    public bool IsExternal => Name != ChannelHandlers.BuiltIn;

    public void Validate(IReadOnlyDictionary<string, string>? configuration, ValidationErrors errors)
    {
        var values = configuration ?? new Dictionary<string, string>();
        foreach (var unknown in values.Keys.Where(k => Fields.All(f => f.Name != k)))
            errors.Add($"configuration.{unknown}", $"The {Name} handler has no such field.");
        foreach (var field in Fields)
        {
            var shown = field.RequiredWhenField is null || values.GetValueOrDefault(field.RequiredWhenField) == field.RequiredWhenValue;
            var value = values.GetValueOrDefault(field.Name);
            var key = $"configuration.{field.Name}";
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Require(!(field.Required && shown), key, field.RequiredWhenField is null
                    ? "Is required."
                    : $"Is required when {field.RequiredWhenField} is {field.RequiredWhenValue}.");
                continue;
            }
            errors.Require(value.Length <= 2000, key, "Must be at most 2000 characters.");
            switch (field.Type)
            {
                case "url":
                    errors.Require(Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https", key, "Must be an http or https URL.");
                    break;
                case "select":
                    errors.Require(field.Options!.Contains(value), key, $"Must be one of: {string.Join(", ", field.Options!)}.");
                    break;
                case "boolean":
                    errors.Require(value is "true" or "false", key, "Must be true or false.");
                    break;
            }
        }
    }
}

/// <summary>The handlers installed in this server: the picker is filled from here.</summary>
public static class ChannelHandlers
{
    public const string BuiltIn = "portier";
    public const string Webhook = "webhook";

    public static readonly IReadOnlyList<ChannelHandler> All =
    [
        new(BuiltIn, "Portier doors and readers",
            "Portier's own points of entry: credentials are decided by Portier at the gate.",
            new ChannelCapabilities(Customers: false, Contacts: false, CustomerContactLink: false, IssuesPin: true, SyncsPin: false,
                InboundValidation: true, FaceVerification: false, RemoteRevoke: true, PulseGate: true),
            []),
        new(Webhook, "Webhook",
            "Pushes issued credentials to an external access system over HTTPS; its gates may ask Portier to validate.",
            new ChannelCapabilities(Customers: false, Contacts: true, CustomerContactLink: false, IssuesPin: true, SyncsPin: true,
                InboundValidation: true, FaceVerification: true, RemoteRevoke: true, PulseGate: false),
            [
                new("url", "Endpoint URL", "url", Required: true),
                new("signingSecret", "Signing secret", "secret", Required: true, Secret: true),
                new("authMode", "Authentication", "select", Required: true, Options: ["none", "bearer"]),
                new("bearerToken", "Bearer token", "secret", Required: true, Secret: true, RequiredWhenField: "authMode", RequiredWhenValue: "bearer"),
                new("deviceId", "Device identifier", "text", Required: false),
            ]),
    ];

    /// <summary>What an invite without a channel (Portier's own doors) can do.</summary>
    public static ChannelHandler Default => All[0];

    public static ChannelHandler? Find(string? name) => All.FirstOrDefault(h => h.Name == name);
}
