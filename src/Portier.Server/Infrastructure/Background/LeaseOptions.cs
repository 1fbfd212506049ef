using System.ComponentModel.DataAnnotations;

namespace Portier.Server.Infrastructure.Background;

public sealed class LeaseOptions : IValidatableObject
{
    public const string Section = "Leases";

    /// <summary>How long a node holds a lease without renewing it: a killed node's work is taken over within about this.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Length { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a node renews the leases it holds and tries for those it wants.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RenewEvery { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RenewEvery * 2 > Length)
            yield return new ValidationResult("A lease must be renewed at least twice within its length.", [nameof(RenewEvery), nameof(Length)]);
    }
}
