-- Interactive exercises (issue 13): each teacher's question bank in categories, exercises of
-- ordered items, their assignments to classes and groups, the pupils' attempts with the
-- questions frozen as they were drawn and the responses saved as the pupil goes, and the
-- evaluation of the grades module an assignment's scores went into.
--
-- Exact numbers: points are numeric(6,2); a question's automatic score is the exact fraction
-- auto_num / auto_den of its points (grading works on big.Rat), an attempt's score the exact
-- fraction score_num / score_den of points. A teacher's purged record takes their bank and
-- exercises with it (the pupils' marks already sit in the grades module).

-- A teacher's categories: a tree written as paths « Algèbre/Équations » (parents exist too).
CREATE TABLE exercise_categories (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    path        text NOT NULL CHECK (length(path) BETWEEN 1 AND 300 AND path !~ '(^/|/$|//)'),
    created_at  timestamptz NOT NULL,
    UNIQUE (owner_id, path),
    UNIQUE (id, owner_id)
);

-- A question of a teacher's bank: body is a question.Question as JSON. A shared question
-- (« partagée avec les collègues de l'établissement ») is read and copied by the colleagues.
CREATE TABLE exercise_questions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id     uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    category_id  uuid NOT NULL,
    type         text NOT NULL CHECK (type IN ('choix_unique', 'choix_multiple', 'vrai_faux', 'reponse_courte', 'numerique',
                                               'appariement', 'ordre', 'texte_a_trous', 'redaction', 'description')),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    body         jsonb NOT NULL CHECK (jsonb_typeof(body) = 'object' AND body->>'type' = type),
    shared       boolean NOT NULL DEFAULT false,
    copied_from  uuid REFERENCES exercise_questions (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    -- a question sits in one of its owner's categories
    FOREIGN KEY (category_id, owner_id) REFERENCES exercise_categories (id, owner_id),
    UNIQUE (id, owner_id)
);
CREATE INDEX exercise_questions_category ON exercise_questions (category_id, name);
CREATE INDEX exercise_questions_shared ON exercise_questions (owner_id) WHERE shared;

CREATE TABLE exercises (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id      uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 150),
    instructions  text NOT NULL DEFAULT '' CHECK (length(instructions) <= 5000),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    UNIQUE (id, owner_id)
);
CREATE INDEX exercises_owner ON exercises (owner_id, updated_at DESC);

-- An exercise's item: one question of the owner's bank, or draw_count questions drawn from
-- one of the owner's categories, each worth points.
CREATE TABLE exercise_items (
    exercise_id  uuid NOT NULL,
    owner_id     uuid NOT NULL,
    position     integer NOT NULL CHECK (position >= 1),
    question_id  uuid,
    category_id  uuid,
    draw_count   integer CHECK (draw_count BETWEEN 1 AND 100),
    points       numeric(6,2) NOT NULL CHECK (points > 0),
    PRIMARY KEY (exercise_id, position) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (exercise_id, owner_id) REFERENCES exercises (id, owner_id) ON DELETE CASCADE,
    FOREIGN KEY (question_id, owner_id) REFERENCES exercise_questions (id, owner_id),
    FOREIGN KEY (category_id, owner_id) REFERENCES exercise_categories (id, owner_id),
    CHECK ((question_id IS NULL) <> (category_id IS NULL)),
    CHECK ((category_id IS NULL) = (draw_count IS NULL))
);
CREATE INDEX exercise_items_question ON exercise_items (question_id);
CREATE INDEX exercise_items_category ON exercise_items (category_id);

-- An exercise given to classes and groups. feedback: jamais, apres_reponse (each question is
-- checked once answered, then locked), apres_cloture (after closes_at). training: attempts are
-- not graded into the marks. grade_rule: which attempt makes the exercise's grade.
CREATE TABLE exercise_assignments (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    exercise_id         uuid NOT NULL REFERENCES exercises (id) ON DELETE CASCADE,
    opens_at            timestamptz NOT NULL,
    closes_at           timestamptz NOT NULL,
    attempts_allowed    integer NOT NULL DEFAULT 1 CHECK (attempts_allowed BETWEEN 1 AND 100),
    time_limit_minutes  integer CHECK (time_limit_minutes BETWEEN 1 AND 1440),
    shuffle_questions   boolean NOT NULL DEFAULT false,
    shuffle_answers     boolean NOT NULL DEFAULT false,
    feedback            text NOT NULL DEFAULT 'apres_cloture' CHECK (feedback IN ('jamais', 'apres_reponse', 'apres_cloture')),
    training            boolean NOT NULL DEFAULT false,
    grade_rule          text NOT NULL DEFAULT 'meilleure' CHECK (grade_rule IN ('meilleure', 'moyenne', 'premiere', 'derniere')),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CHECK (closes_at > opens_at)
);
CREATE INDEX exercise_assignments_exercise ON exercise_assignments (exercise_id);

CREATE TABLE exercise_assignment_classes (
    assignment_id  uuid NOT NULL REFERENCES exercise_assignments (id) ON DELETE CASCADE,
    class_id       uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    PRIMARY KEY (assignment_id, class_id)
);
CREATE INDEX exercise_assignment_classes_class ON exercise_assignment_classes (class_id);

-- A pupil's attempt. deadline = min(started_at + time limit, closes_at), set by the server;
-- an attempt not submitted by then is submitted as saved (auto_submitted) when next read.
CREATE TABLE exercise_attempts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    assignment_id   uuid NOT NULL REFERENCES exercise_assignments (id) ON DELETE CASCADE,
    pupil_id        uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    number          integer NOT NULL CHECK (number >= 1),
    started_at      timestamptz NOT NULL,
    deadline        timestamptz NOT NULL,
    submitted_at    timestamptz,
    auto_submitted  boolean NOT NULL DEFAULT false,
    max_points      numeric(8,2) NOT NULL CHECK (max_points >= 0),
    score_num       numeric CHECK (score_num >= 0),
    score_den       numeric CHECK (score_den > 0),
    pending         boolean NOT NULL DEFAULT false, -- an essay awaits the teacher's review
    UNIQUE (assignment_id, pupil_id, number),
    CHECK (deadline > started_at),
    CHECK (submitted_at IS NULL OR submitted_at >= started_at),
    CHECK ((submitted_at IS NULL) = (score_num IS NULL) AND (score_num IS NULL) = (score_den IS NULL)),
    CHECK (NOT auto_submitted OR submitted_at IS NOT NULL)
);
-- one unfinished attempt per pupil and assignment: a new start resumes it
CREATE UNIQUE INDEX exercise_attempts_open ON exercise_attempts (assignment_id, pupil_id) WHERE submitted_at IS NULL;
CREATE INDEX exercise_attempts_pupil ON exercise_attempts (pupil_id);

-- A question of an attempt, frozen as drawn (a later change of the bank changes no attempt),
-- at its display position, with the order its answers are shown in and the pupil's response.
-- auto score: the grader's exact fraction of points (graded false: an essay, or not yet
-- submitted); override: the points a teacher gives instead, with their comment.
CREATE TABLE exercise_responses (
    attempt_id        uuid NOT NULL REFERENCES exercise_attempts (id) ON DELETE CASCADE,
    position          integer NOT NULL CHECK (position >= 1),
    item_position     integer NOT NULL CHECK (item_position >= 1),
    question_id       uuid REFERENCES exercise_questions (id) ON DELETE SET NULL,
    question          jsonb NOT NULL,
    points            numeric(6,2) NOT NULL CHECK (points >= 0),
    answer_order      integer[] NOT NULL DEFAULT '{}',
    response          jsonb,
    saved_at          timestamptz,
    locked            boolean NOT NULL DEFAULT false, -- feedback after each answer: checked, final
    graded            boolean NOT NULL DEFAULT false,
    auto_num          numeric CHECK (auto_num >= 0),
    auto_den          numeric CHECK (auto_den > 0),
    override_points   numeric(6,2) CHECK (override_points >= 0 AND override_points <= points),
    override_comment  text NOT NULL DEFAULT '' CHECK (length(override_comment) <= 2000),
    reviewed          boolean NOT NULL DEFAULT false,
    reviewed_by       uuid REFERENCES people (id) ON DELETE SET NULL,
    reviewed_at       timestamptz,
    PRIMARY KEY (attempt_id, position),
    CHECK ((response IS NULL) = (saved_at IS NULL)),
    CHECK (graded = (auto_num IS NOT NULL) AND (auto_num IS NULL) = (auto_den IS NULL)),
    CHECK (auto_num IS NULL OR auto_num <= auto_den),
    CHECK (NOT reviewed OR reviewed_at IS NOT NULL)
);
CREATE INDEX exercise_responses_question ON exercise_responses (question_id);

-- The evaluation of the grades module an assignment's grades of one class went into: the
-- next « into the marks » of that class updates it. Gone with the evaluation.
CREATE TABLE exercise_evaluations (
    assignment_id  uuid NOT NULL REFERENCES exercise_assignments (id) ON DELETE CASCADE,
    class_id       uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    evaluation_id  uuid NOT NULL UNIQUE REFERENCES evaluations (id) ON DELETE CASCADE,
    absent_code    text NOT NULL DEFAULT '' CHECK (absent_code IN ('', 'Abs')),
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (assignment_id, class_id)
);
