// The app tests' common start: an App that owns the tiny fixture model ("tiny"), and one that has also
// read a sentence.
#pragma once
#include "app/app.h"
#include "model_fixtures.h"

class AppWithModel : public ::testing::Test {
protected:
    void SetUp() override {
        Model* m = new Model();
        std::string err;
        ASSERT_TRUE(model_load_fixture(*m, "tiny_f32", err)) << err;
        m->name = "tiny";
        app_add_model(app, m);
    }
    void TearDown() override {
        for (Model* m : app.models) delete m;
    }
    App app;
};

class AppWithText : public AppWithModel {
protected:
    void SetUp() override {
        AppWithModel::SetUp();
        app_set_text(app, "The dog chased the cat because it was hungry.");
        ASSERT_GE(app.cap.T, 4);
    }
};
