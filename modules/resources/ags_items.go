package resources

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/cartable-ent/cartable/tenant"
	"github.com/cartable-ent/cartable/web/fault"
)

// LineItem is a column of scores a tool keeps in a class (lti_line_items).
type LineItem struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	ToolID         uuid.UUID
	ResourceID     *uuid.UUID
	ClassID        uuid.UUID
	ResourceLinkID string
	Label          string
	ScoreMaximum   string // numeric(8,2), exact
	Tag            string
	ToolResourceID string
	EvaluationID   *uuid.UUID
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (LineItem) TableName() string { return "lti_line_items" }

// Score is a pupil's score on a line item (lti_scores).
type Score struct {
	LineItemID       uuid.UUID `gorm:"primaryKey"`
	PersonID         uuid.UUID `gorm:"primaryKey"`
	ScoreGiven       *string
	ScoreMaximum     *string
	ActivityProgress string
	GradingProgress  string
	Comment          string
	ScoredAt         time.Time
}

func (Score) TableName() string { return "lti_scores" }

// agsContext is where a token's request lands: an establishment that subscribes to the
// token's tool today, and one of its classes or groups.
type agsContext struct {
	Grant  *agsGrant
	Tenant *tenant.Tenant
	Class  uuid.UUID
}

// errNoContext is an establishment or class the token cannot reach, told as absent.
var errNoContext = fault.New(fault.ErrNotFound, "context not found")

// agsScope checks that the token's tool may work in the class of the establishment.
func (s *Service) agsScope(ctx context.Context, token, tenantID, classID string) (*agsContext, error) {
	g, err := s.grantOf(ctx, token)
	if err != nil {
		return nil, err
	}
	tid, err1 := uuid.Parse(tenantID)
	cid, err2 := uuid.Parse(classID)
	if err1 != nil || err2 != nil {
		return nil, errNoContext
	}
	var ts []tenant.Tenant
	if err := s.cat.DB().WithContext(ctx).Where("id = ? AND status = ?", tid, tenant.StatusActive).Limit(1).Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("resources: read establishment %s: %w", tid, err)
	}
	if len(ts) == 0 {
		return nil, errNoContext
	}
	ac := &agsContext{Grant: g, Tenant: &ts[0], Class: cid}
	err = s.read(ctx, ac.Tenant, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Raw(`SELECT count(*) FROM resource_subscriptions WHERE tool_id = ? AND starts_on <= ? AND ends_on >= ?`,
			g.Tool.ID, s.Today(), s.Today()).Scan(&n).Error; err != nil {
			return fmt.Errorf("resources: subscriptions to tool %s: %w", g.Tool.ID, err)
		}
		if n == 0 {
			return errNoContext
		}
		if err := tx.Raw(`SELECT count(*) FROM classes WHERE id = ?`, cid).Scan(&n).Error; err != nil {
			return fmt.Errorf("resources: read class %s: %w", cid, err)
		}
		if n == 0 {
			return errNoContext
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ac, nil
}

// LineItemInput is a line item as a tool sends it.
type LineItemInput struct {
	Label          string   `json:"label"`
	ScoreMaximum   *float64 `json:"scoreMaximum"`
	Tag            string   `json:"tag"`
	ResourceID     string   `json:"resourceId"`
	ResourceLinkID string   `json:"resourceLinkId"`
}

func (in *LineItemInput) validate() (string, error) {
	in.Label = strings.TrimSpace(in.Label)
	switch n := len([]rune(in.Label)); {
	case n == 0:
		return "", fault.Invalidf("label", "label is required")
	case n > 300:
		return "", fault.Invalidf("label", "label is longer than 300 characters")
	}
	if in.ScoreMaximum == nil || !(*in.ScoreMaximum >= 0.01) || *in.ScoreMaximum > 999999.99 || math.IsInf(*in.ScoreMaximum, 0) {
		return "", fault.Invalidf("scoreMaximum", "scoreMaximum must be a number from 0.01 to 999999.99")
	}
	if len(in.Tag) > 300 || len(in.ResourceID) > 300 || len(in.ResourceLinkID) > 300 {
		return "", fault.Invalidf("tag", "tag, resourceId and resourceLinkId are 300 characters at most")
	}
	return decimal2(*in.ScoreMaximum), nil
}

// decimal2 is x with two decimals, as numeric(8,2) keeps it.
func decimal2(x float64) string { return fmt.Sprintf("%.2f", x) }

// LineItemFilter narrows a container's list (the query parameters of the spec); Limit > 0
// pages it from Offset.
type LineItemFilter struct {
	ResourceLinkID, ResourceID, Tag string
	Limit, Offset                   int
}

// LineItems are the tool's line items in the class.
func (s *Service) LineItems(ctx context.Context, ac *agsContext, f LineItemFilter) ([]LineItem, error) {
	var out []LineItem
	err := s.read(ctx, ac.Tenant, func(tx *gorm.DB) error {
		q := tx.Where("tool_id = ? AND class_id = ?", ac.Grant.Tool.ID, ac.Class)
		if f.ResourceLinkID != "" {
			q = q.Where("resource_link_id = ?", f.ResourceLinkID)
		}
		if f.ResourceID != "" {
			q = q.Where("tool_resource_id = ?", f.ResourceID)
		}
		if f.Tag != "" {
			q = q.Where("tag = ?", f.Tag)
		}
		if f.Limit > 0 {
			q = q.Limit(f.Limit + 1).Offset(f.Offset) // one more tells whether a next page exists
		}
		if err := q.Order("created_at, id").Find(&out).Error; err != nil {
			return fmt.Errorf("resources: list line items: %w", err)
		}
		return nil
	})
	return out, err
}

// SaveLineItem creates (id uuid.Nil) or changes a line item of the tool in the class.
func (s *Service) SaveLineItem(ctx context.Context, ac *agsContext, id uuid.UUID, in LineItemInput) (*LineItem, error) {
	maximum, err := in.validate()
	if err != nil {
		return nil, err
	}
	var out LineItem
	err = s.write(ctx, ac.Tenant, func(tx *gorm.DB) error {
		now := s.now()
		if id == uuid.Nil {
			out = LineItem{ID: uuid.New(), ToolID: ac.Grant.Tool.ID, ClassID: ac.Class, ResourceLinkID: in.ResourceLinkID,
				Label: in.Label, ScoreMaximum: maximum, Tag: in.Tag, ToolResourceID: in.ResourceID, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&out).Error; err != nil {
				return fmt.Errorf("resources: create line item: %w", err)
			}
			return nil
		}
		item, err := lineItemIn(tx, ac, id)
		if err != nil {
			return err
		}
		if err := tx.Model(&LineItem{}).Where("id = ?", item.ID).Updates(map[string]any{"label": in.Label, "score_maximum": maximum,
			"tag": in.Tag, "tool_resource_id": in.ResourceID, "resource_link_id": in.ResourceLinkID, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("resources: update line item %s: %w", id, err)
		}
		o, err := lineItemIn(tx, ac, id)
		out = *o
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// errNoLineItem is a line item that is not the tool's in the class.
var errNoLineItem = fault.New(fault.ErrNotFound, "line item not found")

func lineItemIn(tx *gorm.DB, ac *agsContext, id uuid.UUID) (*LineItem, error) {
	var items []LineItem
	if err := tx.Where("id = ? AND tool_id = ? AND class_id = ?", id, ac.Grant.Tool.ID, ac.Class).Limit(1).Find(&items).Error; err != nil {
		return nil, fmt.Errorf("resources: read line item %s: %w", id, err)
	}
	if len(items) == 0 {
		return nil, errNoLineItem
	}
	return &items[0], nil
}

// LineItem is one line item of the tool in the class.
func (s *Service) LineItem(ctx context.Context, ac *agsContext, id uuid.UUID) (*LineItem, error) {
	var out *LineItem
	err := s.read(ctx, ac.Tenant, func(tx *gorm.DB) error {
		var err error
		out, err = lineItemIn(tx, ac, id)
		return err
	})
	return out, err
}

// DeleteLineItem removes a line item and its scores (a draft made from it stays in the
// grades module, the teacher's).
func (s *Service) DeleteLineItem(ctx context.Context, ac *agsContext, id uuid.UUID) error {
	return s.write(ctx, ac.Tenant, func(tx *gorm.DB) error {
		if _, err := lineItemIn(tx, ac, id); err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM lti_line_items WHERE id = ?`, id).Error; err != nil {
			return fmt.Errorf("resources: delete line item %s: %w", id, err)
		}
		return nil
	})
}

// ScoreInput is a score as a tool posts it (application/vnd.ims.lis.v1.score+json).
type ScoreInput struct {
	UserID           string   `json:"userId"`
	ScoreGiven       *float64 `json:"scoreGiven"`
	ScoreMaximum     *float64 `json:"scoreMaximum"`
	Comment          string   `json:"comment"`
	Timestamp        string   `json:"timestamp"`
	ActivityProgress string   `json:"activityProgress"`
	GradingProgress  string   `json:"gradingProgress"`
}

var (
	activityProgress = []string{"Initialized", "Started", "InProgress", "Submitted", "Completed"}
	gradingProgress  = []string{"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}
)

// pupilsOf are the pupils of a class with an account, by their pseudonym for tool.
func pupilsOf(tx *gorm.DB, tool *Tool, class uuid.UUID) (map[string]uuid.UUID, map[uuid.UUID]string, error) {
	var rows []struct {
		ID         uuid.UUID
		IdentityID uuid.UUID
	}
	if err := tx.Raw(`SELECT p.id, p.identity_id FROM class_members m JOIN people p ON p.id = m.person_id
		WHERE m.class_id = ? AND p.category = 'eleve' AND p.identity_id IS NOT NULL`, class).Scan(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("resources: pupils of %s: %w", class, err)
	}
	bySub := make(map[string]uuid.UUID, len(rows))
	byPerson := make(map[uuid.UUID]string, len(rows))
	for _, r := range rows {
		sub := Pseudonym(tool, r.IdentityID)
		bySub[sub], byPerson[r.ID] = r.ID, sub
	}
	return bySub, byPerson, nil
}

// PostScore records a pupil's score on the tool's line item: the userId is the pupil's
// pseudonym for the tool (the launch's sub), a pupil of the line item's class. A score older
// than the one recorded changes nothing.
func (s *Service) PostScore(ctx context.Context, ac *agsContext, item uuid.UUID, in ScoreInput) error {
	at, err := time.Parse(time.RFC3339Nano, in.Timestamp)
	switch {
	case err != nil:
		return fault.Invalidf("timestamp", "timestamp must be an ISO 8601 date-time with its offset")
	case !slices.Contains(activityProgress, in.ActivityProgress):
		return fault.Invalidf("activityProgress", "activityProgress must be one of %s", strings.Join(activityProgress, ", "))
	case !slices.Contains(gradingProgress, in.GradingProgress):
		return fault.Invalidf("gradingProgress", "gradingProgress must be one of %s", strings.Join(gradingProgress, ", "))
	case len([]rune(in.Comment)) > 2000:
		return fault.Invalidf("comment", "comment is longer than 2000 characters")
	case in.ScoreGiven != nil && (in.ScoreMaximum == nil || !(*in.ScoreMaximum >= 0.01) || *in.ScoreMaximum > 999999.99):
		return fault.Invalidf("scoreMaximum", "scoreMaximum (from 0.01 to 999999.99) must come with scoreGiven")
	case in.ScoreGiven != nil && (*in.ScoreGiven < 0 || *in.ScoreGiven > 999999.99 || math.IsNaN(*in.ScoreGiven)):
		return fault.Invalidf("scoreGiven", "scoreGiven must be a number from 0 to 999999.99")
	}
	var given, maximum *string
	if in.ScoreGiven != nil {
		g, m := decimal2(*in.ScoreGiven), decimal2(*in.ScoreMaximum)
		given, maximum = &g, &m
	}
	return s.write(ctx, ac.Tenant, func(tx *gorm.DB) error {
		if _, err := lineItemIn(tx, ac, item); err != nil {
			return err
		}
		bySub, _, err := pupilsOf(tx, ac.Grant.Tool, ac.Class)
		if err != nil {
			return err
		}
		pupil, ok := bySub[in.UserID]
		if !ok {
			return fault.Invalidf("userId", "userId is not a pupil of this context")
		}
		if err := tx.Exec(`INSERT INTO lti_scores (line_item_id, person_id, score_given, score_maximum, activity_progress, grading_progress, comment, scored_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (line_item_id, person_id) DO UPDATE SET score_given = excluded.score_given, score_maximum = excluded.score_maximum,
			  activity_progress = excluded.activity_progress, grading_progress = excluded.grading_progress, comment = excluded.comment, scored_at = excluded.scored_at
			WHERE lti_scores.scored_at <= excluded.scored_at`,
			item, pupil, given, maximum, in.ActivityProgress, in.GradingProgress, in.Comment, at).Error; err != nil {
			return fmt.Errorf("resources: record score: %w", err)
		}
		return tx.Exec(`UPDATE lti_line_items SET updated_at = ? WHERE id = ?`, s.now(), item).Error
	})
}

// Result is a pupil's result on a line item, as the tool reads it back.
type Result struct {
	UserID        string
	ResultScore   *float64
	ResultMaximum *float64
	Comment       string
}

// Results are the scores of the tool's line item (userID "": everyone's).
func (s *Service) Results(ctx context.Context, ac *agsContext, item uuid.UUID, userID string) ([]Result, error) {
	var out []Result
	err := s.read(ctx, ac.Tenant, func(tx *gorm.DB) error {
		if _, err := lineItemIn(tx, ac, item); err != nil {
			return err
		}
		_, byPerson, err := pupilsOf(tx, ac.Grant.Tool, ac.Class)
		if err != nil {
			return err
		}
		var scores []Score
		if err := tx.Where("line_item_id = ?", item).Order("scored_at, person_id").Find(&scores).Error; err != nil {
			return fmt.Errorf("resources: read scores: %w", err)
		}
		for _, sc := range scores {
			sub, ok := byPerson[sc.PersonID]
			if !ok || (userID != "" && sub != userID) {
				continue // left the class: the tool no longer reads it
			}
			out = append(out, Result{UserID: sub, ResultScore: floatOf(sc.ScoreGiven), ResultMaximum: floatOf(sc.ScoreMaximum), Comment: sc.Comment})
		}
		return nil
	})
	return out, err
}

func floatOf(s *string) *float64 {
	if s == nil {
		return nil
	}
	r, ok := new(big.Rat).SetString(*s)
	if !ok {
		return nil
	}
	f, _ := r.Float64()
	return &f
}

// isOAuth tells an *OAuthError.
func isOAuth(err error) (*OAuthError, bool) {
	var o *OAuthError
	ok := errors.As(err, &o)
	return o, ok
}
