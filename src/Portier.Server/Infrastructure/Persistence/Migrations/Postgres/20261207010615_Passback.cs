using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portier.Server.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Passback : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Passback",
                table: "zones",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "Off");

            migrationBuilder.AddColumn<string>(
                name: "PassbackForgiveAt",
                table: "zones",
                type: "character varying(5)",
                maxLength: 5,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PassbackForgivenThrough",
                table: "zones",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "PassbackMinutes",
                table: "zones",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Passback",
                table: "access_events",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "None");

            migrationBuilder.CreateTable(
                name: "passback_forgivenesses",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    SiteId = table.Column<Guid>(type: "uuid", nullable: false),
                    ZoneId = table.Column<Guid>(type: "uuid", nullable: false),
                    PersonId = table.Column<Guid>(type: "uuid", nullable: true),
                    At = table.Column<long>(type: "bigint", nullable: false),
                    Nightly = table.Column<bool>(type: "boolean", nullable: false),
                    Forgiven = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_passback_forgivenesses", x => x.Id);
                    table.ForeignKey(
                        name: "FK_passback_forgivenesses_zones_ZoneId",
                        column: x => x.ZoneId,
                        principalTable: "zones",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "zone_presences",
                columns: table => new
                {
                    PersonId = table.Column<Guid>(type: "uuid", nullable: false),
                    ZoneId = table.Column<Guid>(type: "uuid", nullable: false),
                    SiteId = table.Column<Guid>(type: "uuid", nullable: false),
                    State = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    LastPassAt = table.Column<long>(type: "bigint", nullable: true),
                    LastPassEntered = table.Column<bool>(type: "boolean", nullable: true),
                    LastEntryAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_zone_presences", x => new { x.PersonId, x.ZoneId });
                    table.ForeignKey(
                        name: "FK_zone_presences_people_PersonId",
                        column: x => x.PersonId,
                        principalTable: "people",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_zone_presences_zones_ZoneId",
                        column: x => x.ZoneId,
                        principalTable: "zones",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_passback_forgivenesses_ZoneId_At",
                table: "passback_forgivenesses",
                columns: new[] { "ZoneId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_zone_presences_ZoneId_State",
                table: "zone_presences",
                columns: new[] { "ZoneId", "State" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "passback_forgivenesses");

            migrationBuilder.DropTable(
                name: "zone_presences");

            migrationBuilder.DropColumn(
                name: "Passback",
                table: "zones");

            migrationBuilder.DropColumn(
                name: "PassbackForgiveAt",
                table: "zones");

            migrationBuilder.DropColumn(
                name: "PassbackForgivenThrough",
                table: "zones");

            migrationBuilder.DropColumn(
                name: "PassbackMinutes",
                table: "zones");

            migrationBuilder.DropColumn(
                name: "Passback",
                table: "access_events");
        }
    }
}
