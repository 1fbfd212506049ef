using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portier.Server.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Lockdown : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "lockdown_plans",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    SiteId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Target = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ScopeIds = table.Column<string>(type: "TEXT", nullable: false),
                    DoorIds = table.Column<string>(type: "TEXT", nullable: false),
                    ResponderPersonTypes = table.Column<string>(type: "TEXT", nullable: false),
                    ResponderTags = table.Column<string>(type: "TEXT", nullable: false),
                    ResponderPersonIds = table.Column<string>(type: "TEXT", nullable: false),
                    Rank = table.Column<int>(type: "INTEGER", nullable: false),
                    AutoRevertMinutes = table.Column<int>(type: "INTEGER", nullable: true),
                    TriggerDeviceIds = table.Column<string>(type: "TEXT", nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    StartedBy = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    EndsAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EndedBy = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_lockdown_plans", x => x.Id);
                    table.ForeignKey(
                        name: "FK_lockdown_plans_sites_SiteId",
                        column: x => x.SiteId,
                        principalTable: "sites",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "muster_marks",
                columns: table => new
                {
                    PlanId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PersonId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SiteId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccountedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AccountedBy = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_muster_marks", x => new { x.PlanId, x.PersonId });
                    table.ForeignKey(
                        name: "FK_muster_marks_lockdown_plans_PlanId",
                        column: x => x.PlanId,
                        principalTable: "lockdown_plans",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_lockdown_plans_SiteId_Name",
                table: "lockdown_plans",
                columns: new[] { "SiteId", "Name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "muster_marks");

            migrationBuilder.DropTable(
                name: "lockdown_plans");
        }
    }
}
